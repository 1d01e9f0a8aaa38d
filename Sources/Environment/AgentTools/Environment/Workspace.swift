/// File access to the files the session sees, used by the host-side edit and create tools.
///
/// Every path is interpreted as the shell would: an absolute path as is, a relative one against
/// the session's *current* directory (so a relative path works after `cd`). The empty path
/// never exists.
public protocol Workspace: Sendable {
    /// The session's current directory as an absolute, symlink-free path (what `os.getcwd()`
    /// returns in a process started from the session).
    func currentDirectory() async throws(WorkspaceError) -> String
    /// Whether something (file, directory, …) exists at the path, following symlinks.
    func exists(_ path: String) async throws(WorkspaceError) -> Bool
    /// Whether the path names a directory, following symlinks.
    func isDirectory(_ path: String) async throws(WorkspaceError) -> Bool
    /// The file's bytes.
    func readFile(_ path: String) async throws(WorkspaceError) -> [UInt8]
    /// Creates or truncates the file and writes the bytes (the parent must exist).
    func writeFile(_ path: String, contents: [UInt8]) async throws(WorkspaceError)
}

/// Why a workspace operation failed.
public enum WorkspaceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No file at the path (as given by the caller).
    case notFound(path: String)
    /// The path names a directory where a file was needed.
    case isDirectory(path: String)
    /// The operating system refused access.
    case permissionDenied(path: String)
    /// Any other file-system failure, with the system's description.
    case io(path: String, reason: String)
    /// The workspace itself is unreachable (container gone, engine down).
    case backend(reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): "No such file: \(path)"
        case .isDirectory(let path): "\(path) is a directory, not a file"
        case .permissionDenied(let path): "Permission denied: \(path)"
        case .io(let path, let reason): "Cannot access \(path): \(reason)"
        case .backend(let reason): "Workspace unavailable: \(reason)"
        }
    }
}
