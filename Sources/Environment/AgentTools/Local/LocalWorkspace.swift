#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `Workspace` over host files, with relative paths resolved against a current directory
/// that normally follows a `LocalShellSession`.
public struct LocalWorkspace: Workspace {
    private let directory: @Sendable () async -> String

    /// A workspace whose current directory is always `directory`.
    public init(directory: String) {
        self.directory = { directory }
    }

    /// A workspace that follows the session's `cd`s.
    public init(session: LocalShellSession) {
        self.directory = { await session.currentDirectory }
    }

    public func currentDirectory() async throws(WorkspaceError) -> String {
        await directory()
    }

    public func exists(_ path: String) async throws(WorkspaceError) -> Bool {
        guard let resolved = await resolve(path) else { return false }
        return SystemCalls.isDirectory(resolved) != nil
    }

    public func isDirectory(_ path: String) async throws(WorkspaceError) -> Bool {
        guard let resolved = await resolve(path) else { return false }
        return SystemCalls.isDirectory(resolved) ?? false
    }

    public func readFile(_ path: String) async throws(WorkspaceError) -> [UInt8] {
        guard let resolved = await resolve(path) else { throw .notFound(path: path) }
        let fd = open(resolved, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(errno, path: path) }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, path: path)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: chunk[0..<count])
        }
    }

    public func writeFile(_ path: String, contents: [UInt8]) async throws(WorkspaceError) {
        guard let resolved = await resolve(path) else { throw .notFound(path: path) }
        // Truncate in place, as Python's `open(path, "w")` does, so the file keeps its mode.
        let fd = open(resolved, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw Self.error(errno, path: path) }
        defer { close(fd) }
        var offset = 0
        while offset < contents.count {
            let count = contents[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error(errno, path: path)
            }
            offset += count
        }
    }

    /// The path as the shell would open it; nil for the empty path, which names nothing.
    private func resolve(_ path: String) async -> String? {
        guard !path.isEmpty, !path.utf8.contains(0) else { return nil }
        return PosixPath.join(await directory(), path)
    }

    private static func error(_ code: Int32, path: String) -> WorkspaceError {
        switch code {
        case ENOENT, ENOTDIR: .notFound(path: path)
        case EISDIR: .isDirectory(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        default: .io(path: path, reason: SystemCalls.errorText(code))
        }
    }
}
