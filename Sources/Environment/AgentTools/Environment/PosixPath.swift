/// Lexical POSIX path operations with Python `posixpath` semantics, used where CWM shows a path
/// it computed with `os.path.abspath` / `os.path.dirname`.
enum PosixPath {
    /// `os.path.join(directory, path)` for one component: an absolute `path` wins.
    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if directory.isEmpty || directory.hasSuffix("/") { return directory + path }
        return directory + "/" + path
    }

    /// `os.path.normpath`: collapses `//`, `.` and `..` without touching the file system.
    static func normalize(_ path: String) -> String {
        if path.isEmpty { return "." }
        // POSIX allows exactly two leading slashes to mean something special; Python keeps them.
        let leading: String
        if path.hasPrefix("//") && !path.hasPrefix("///") {
            leading = "//"
        } else if path.hasPrefix("/") {
            leading = "/"
        } else {
            leading = ""
        }
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if leading.isEmpty {
                    parts.append(component)
                }
                // `..` above the root stays at the root.
                continue
            }
            parts.append(component)
        }
        let joined = leading + parts.joined(separator: "/")
        return joined.isEmpty ? "." : joined
    }

    /// `os.path.abspath(path)` relative to `currentDirectory`.
    static func absolute(_ path: String, currentDirectory: String) -> String {
        normalize(join(currentDirectory, path))
    }

    /// `os.path.dirname`: everything before the last `/`, with trailing slashes removed unless
    /// it is all slashes.
    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let head = path[...slash]
        if head.allSatisfy({ $0 == "/" }) { return String(head) }
        var trimmed = head
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return String(trimmed)
    }
}
