/// Turns workspace failures into tool feedback.
///
/// Where CWM's Python plugin would crash and show the model a traceback (a directory given to
/// edit, an unreadable or non-UTF-8 file, a failed write), these tools report a one-line
/// message instead. An unreachable workspace is not the model's doing and is rethrown.
extension WorkspaceError {
    func feedback(editing path: String) throws(ToolBackendError) -> String {
        switch self {
        case .backend(let reason):
            throw ToolBackendError("Workspace unavailable while editing \(path): \(reason)")
        case .notFound:
            return "The path \(path) does not exist. Please provide a valid path."
        case .isDirectory:
            return "The path \(path) is a directory. Please provide the path of a file."
        case .permissionDenied:
            return "Permission denied: \(path) cannot be read or written."
        case .io(_, let reason):
            return "Failed to access \(path): \(reason)"
        }
    }

    func feedback(creating path: String) throws(ToolBackendError) -> String {
        switch self {
        case .backend(let reason):
            throw ToolBackendError("Workspace unavailable while creating \(path): \(reason)")
        case .notFound, .isDirectory:
            return "File creation failed. Cannot write a file at \(path)."
        case .permissionDenied:
            return "File creation failed. Permission denied: \(path)."
        case .io(_, let reason):
            return "File creation failed. Cannot write \(path): \(reason)"
        }
    }
}
