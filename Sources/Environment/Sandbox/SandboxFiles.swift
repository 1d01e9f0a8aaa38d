import DockerEngine
import Foundation

/// The container's files, for tools that run on the host: read, write, exists, is-directory.
/// Paths must be absolute; symlinks are followed as the kernel would.
///
/// Each call goes through a private shell in the container (`FileChannel`, about a millisecond),
/// and falls back to the engine's archive endpoints (no process in the container, tens of
/// milliseconds) when that shell cannot run — an image without bash or base64, or a fork bomb
/// that has used up the pids limit.
public struct SandboxFiles: Sendable {
    public let client: DockerClient
    public let containerID: String
    let channel: FileChannel

    init(client: DockerClient, containerID: String) {
        self.client = client
        self.containerID = containerID
        self.channel = FileChannel(client: client, containerID: containerID)
    }

    /// Ends the private shell.
    func close() async { await channel.close() }

    public func exists(_ path: String) async throws(FileError) -> Bool {
        if let kind = await channelKind(path) { return kind != "N" }
        return try await archiveStat(path) != nil
    }

    public func isDirectory(_ path: String) async throws(FileError) -> Bool {
        if let kind = await channelKind(path) { return kind == "D" }
        return try await archiveStat(path)?.isDirectory ?? false
    }

    public func read(_ path: String) async throws(FileError) -> Data {
        let q = shellQuote(path)
        switch await channel.run("if [ -d \(q) ]; then echo ISDIR; return 3; fi; [ -e \(q) ] || { echo NOTFOUND; return 4; }; base64 -w0 -- \(q)") {
        case .ok(let encoded)?:
            guard let data = Data(base64Encoded: encoded) else { throw .engine("reading \(path): the file channel sent bad base64") }
            return data
        case .failed(3, _)?: throw .isDirectory(path)
        case .failed(4, _)?: throw .notFound(path)
        case .failed(_, let output)?: throw .engine("reading \(path): \(String(decoding: output, as: UTF8.self))")
        case nil: return try await archiveRead(path)
        }
    }

    /// Creates or replaces the file's contents in place (an existing file keeps its mode and owner;
    /// a new one gets 0644).
    public func write(_ path: String, _ contents: Data) async throws(FileError) {
        let q = shellQuote(path)
        let parent = shellQuote(parentDirectory(path))
        let snippet = "if [ -d \(q) ]; then echo ISDIR; return 3; fi; [ -d \(parent) ] || { echo NOPARENT; return 4; }; base64 -d > \(q)"
        switch await channel.run(snippet, input: contents) {
        case .ok?: return
        case .failed(3, _)?: throw .isDirectory(path)
        case .failed(4, _)?: throw .notFound(parentDirectory(path))
        case .failed(_, let output)?: throw .engine("writing \(path): \(String(decoding: output, as: UTF8.self))")
        case nil: try await archiveWrite(path, contents)
        }
    }

    /// `D` (a directory), `F` (anything else that exists) or `N`, following symlinks; nil when the
    /// channel cannot answer.
    private func channelKind(_ path: String) async -> String? {
        let q = shellQuote(path)
        guard case .ok(let out)? = await channel.run("if [ -d \(q) ]; then echo D; elif [ -e \(q) ]; then echo F; else echo N; fi") else { return nil }
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Archive endpoints (the fallback)

    public enum FileError: Error, Sendable, Equatable {
        case notFound(String)
        case isDirectory(String)
        case engine(String)
    }

    /// What is at `path` after following symlinks, or nil when nothing is.
    func archiveStat(_ path: String) async throws(FileError) -> PathStat? {
        let real = try await resolve(path)
        do { return try await client.statPath(container: containerID, path: real) } catch { throw .engine("\(error)") }
    }

    /// The path with its last symlinks resolved (the engine resolves the directories on the way).
    func resolve(_ path: String) async throws(FileError) -> String {
        var current = path
        for _ in 0..<40 {
            let stat: PathStat?
            do { stat = try await client.statPath(container: containerID, path: current) } catch { throw .engine("\(error)") }
            guard let stat, stat.isSymlink, let target = stat.linkTarget, !target.isEmpty else { return current }
            current = target.hasPrefix("/") ? target : parentDirectory(current) + "/" + target
        }
        throw .engine("too many levels of symbolic links at \(path)")
    }

    func archiveRead(_ path: String) async throws(FileError) -> Data {
        let real = try await resolve(path)
        let tar: Data
        do {
            tar = try await client.getArchive(container: containerID, path: real)
        } catch .notFound {
            throw .notFound(path)
        } catch {
            throw .engine("\(error)")
        }
        let entries: [TarEntry]
        do { entries = try TarReader.entries(tar) } catch { throw .engine("\(error)") }
        guard let first = entries.first else { throw .notFound(path) }
        if first.kind == .directory { throw .isDirectory(path) }
        return first.data
    }

    /// Replaces the file through a tar (keeps the mode of a file it replaces, 0644 for a new one).
    func archiveWrite(_ path: String, _ contents: Data) async throws(FileError) {
        let real = try await resolve(path)
        let existing: PathStat?
        do { existing = try await client.statPath(container: containerID, path: real) } catch { throw .engine("\(error)") }
        if existing?.isDirectory == true { throw .isDirectory(path) }
        let parent = parentDirectory(real)
        let name = String(real[real.index(after: real.lastIndex(of: "/") ?? real.startIndex)...])
        do {
            let tar = try TarWriter.archive([.file(name, contents, mode: existing?.permissions ?? 0o644)])
            try await client.putArchive(container: containerID, path: parent, tar: tar)
        } catch .notFound {
            throw .notFound(parent)
        } catch {
            throw .engine("\(error)")
        }
    }

    private func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
