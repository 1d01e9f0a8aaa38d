import Foundation

/// A git-style unified diff turned around: what it adds it removes and the other way, file
/// creations become deletions, renames run back. SWE-smith rows carry the bug-introducing diff as
/// `patch`; its reverse is the gold fix.
public enum ReversedDiff {
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// `GIT binary patch` hunks cannot be turned around as text.
        case binary
        case malformed(String)

        public var description: String {
            switch self {
            case .binary: return "the diff holds a binary patch, which cannot be reversed as text"
            case .malformed(let line): return "not a unified diff line where one was expected: \(line)"
            }
        }
    }

    public static func reverse(_ diff: String) throws(Failure) -> String {
        var out: [String] = []
        var lines = diff.components(separatedBy: "\n")
        let endsWithNewline = lines.last == ""
        if endsWithNewline { lines.removeLast() }
        var i = 0
        var inHunk = false
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("GIT binary patch") || line.hasPrefix("Binary files ") { throw .binary }
            if line.hasPrefix("diff --git ") {
                inHunk = false
                out.append(swapGitHeader(line))
            } else if line.hasPrefix("--- "), i + 1 < lines.count, lines[i + 1].hasPrefix("+++ ") {
                inHunk = false
                out.append("--- " + side(String(lines[i + 1].dropFirst(4)), to: "a/"))
                out.append("+++ " + side(String(line.dropFirst(4)), to: "b/"))
                i += 1
            } else if let kind = ["rename", "copy"].first(where: { line.hasPrefix("\($0) from ") }), i + 1 < lines.count,
                      lines[i + 1].hasPrefix("\(kind) to ") {
                // `rename from X` / `rename to Y` → from Y, to X.
                out.append("\(kind) from " + lines[i + 1].dropFirst("\(kind) to ".count))
                out.append("\(kind) to " + line.dropFirst("\(kind) from ".count))
                i += 1
            } else if line.hasPrefix("@@ ") {
                inHunk = true
                out.append(try swapHunkHeader(line))
            } else if inHunk, let first = line.first, first == "+" || first == "-" {
                out.append((first == "+" ? "-" : "+") + line.dropFirst())
            } else if inHunk, line.hasPrefix(" ") || line.hasPrefix("\\") || line.isEmpty {
                out.append(line)
            } else {
                inHunk = false
                out.append(swapMetadata(line))
            }
            i += 1
        }
        return out.joined(separator: "\n") + (endsWithNewline ? "\n" : "")
    }

    /// `diff --git a/X b/Y` → `diff --git a/Y b/X` (paths without spaces split at ` b/`).
    static func swapGitHeader(_ line: String) -> String {
        let rest = line.dropFirst("diff --git ".count)
        guard rest.hasPrefix("a/"), let split = rest.range(of: " b/") else { return line }
        let old = rest[rest.index(rest.startIndex, offsetBy: 2)..<split.lowerBound]
        let new = rest[split.upperBound...]
        return "diff --git a/\(new) b/\(old)"
    }

    /// A `---`/`+++` path moved to the other side: `a/x` ↔ `b/x`; `/dev/null` stays.
    static func side(_ path: String, to prefix: String) -> String {
        if path.hasPrefix("a/") || path.hasPrefix("b/") { return prefix + path.dropFirst(2) }
        return path
    }

    /// `@@ -a,b +c,d @@ section` → `@@ -c,d +a,b @@ section`.
    static func swapHunkHeader(_ line: String) throws(Failure) -> String {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[1].hasPrefix("-"), parts[2].hasPrefix("+"), parts[3].hasPrefix("@@") else {
            throw .malformed(line)
        }
        return "@@ -\(parts[2].dropFirst()) +\(parts[1].dropFirst()) \(parts[3])"
    }

    /// The extended header lines of git's diffs, turned around.
    static func swapMetadata(_ line: String) -> String {
        let pairs = [("new file mode ", "deleted file mode "), ("deleted file mode ", "new file mode "),
                     ("old mode ", "new mode "), ("new mode ", "old mode ")]
        for (from, to) in pairs where line.hasPrefix(from) { return to + line.dropFirst(from.count) }
        if line.hasPrefix("index "), let dots = line.range(of: "..") {
            let head = line[line.index(line.startIndex, offsetBy: 6)..<dots.lowerBound]
            let tail = line[dots.upperBound...]
            let after = tail.split(separator: " ", maxSplits: 1).map(String.init)
            return "index \(after.first ?? "")..\(head)" + (after.count > 1 ? " " + after[1] : "")
        }
        return line
    }
}
