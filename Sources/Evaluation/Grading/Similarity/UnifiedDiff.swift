import ForagerSupport

/// A parsed unified diff: what unidiff's `PatchSet` holds that the similarity reward reads.
public struct UnifiedDiff: Sendable, Equatable {
    public var files: [File]

    public struct File: Sendable, Equatable {
        /// `source_file` and `target_file` as written (`a/x`, `b/x`, `/dev/null`).
        public var sourceFile: String
        public var targetFile: String
        public var isBinary: Bool
        public var hunks: [Hunk]

        /// unidiff's `is_rename`: neither side is `/dev/null` and the names differ after their
        /// first two characters.
        public var isRename: Bool {
            let dev = "/dev/null"
            return sourceFile != dev && targetFile != dev
                && !PythonText.codePoints(sourceFile).dropFirst(2).elementsEqual(PythonText.codePoints(targetFile).dropFirst(2))
        }

        /// unidiff 0.7.5's `path`: the source (the target when the source is `/dev/null` or for a
        /// rename), with an `a/` or `b/` prefix removed.
        public var path: String {
            var path = sourceFile
            if path == "/dev/null" || (isRename && targetFile != "/dev/null") { path = targetFile }
            if path.unicodeScalars.starts(with: "a/".unicodeScalars) || path.unicodeScalars.starts(with: "b/".unicodeScalars) {
                return PythonText.string(PythonText.codePoints(path).dropFirst(2))
            }
            return path
        }
    }

    public struct Hunk: Sendable, Equatable {
        /// Start lines in canonical decimal (`"%d" % int(...)`), lengths as numbers (1 when omitted).
        public var sourceStart: String
        public var sourceLength: Int
        public var targetStart: String
        public var targetLength: Int
        public var sectionHeader: String
        /// Each line as `str(line)`: its type character (`+`, `-`, ` `, `\`, or none for a
        /// trailing empty line) and its value with the line ending.
        public var lines: [String]

        /// `str(hunk)`: `@@ -a,b +c,d @@[ section]\n` and the lines, lengths always explicit.
        public var rendered: String {
            let section = sectionHeader.unicodeScalars.isEmpty ? "" : " " + sectionHeader
            return "@@ -\(sourceStart),\(sourceLength) +\(targetStart),\(targetLength) @@\(section)\n" + lines.joined()
        }
    }
}

/// How parsing a patch can end besides success.
public enum UnifiedDiffError: Error, Sendable, Equatable {
    /// A `UnidiffParseError` or `UnboundLocalError` in unidiff: CWM normalizes such a patch to {}.
    case parse(String)
    /// An exception CWM does not catch (unidiff dereferences `None` at a `GIT binary patch` line
    /// that follows no file header): CWM's env turns the whole similarity outcome into a failure.
    case crash(String)
}
