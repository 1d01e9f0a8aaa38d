import ForagerSupport

/// CWM's `get_normalized_file_patch`: one entry per changed text file, keyed by path (a rename
/// by its source path), valued by the hunks' text. Keys keep Python's dict order: first insertion,
/// and a later value for the same key replaces the earlier one in place.
public struct NormalizedPatch: Sendable, Equatable {
    public private(set) var paths: [String] = []
    private var values: [ExactString: String] = [:]

    public init() {}

    /// Normalizes a patch; an unparseable one gives an empty dict, as in CWM.
    /// - Throws: ``UnifiedDiffError/crash(_:)`` where unidiff raises an exception CWM does not catch.
    public init(normalizing patch: String) throws(UnifiedDiffError) {
        let diff: UnifiedDiff
        do {
            diff = try UnifiedDiffParser.parse(patch)
        } catch .parse {
            return
        } catch {
            throw error
        }
        for file in diff.files where !file.isBinary {
            var header = ""
            let path: String
            if file.isRename {
                let source = Self.dropPrefix("a/", file.sourceFile)
                let target = Self.dropPrefix("b/", file.targetFile)
                header = "rename from \(source) to \(target)"
                path = source
            } else {
                path = file.path
            }
            let body = file.hunks.map { PythonText.string(PythonText.strip(PythonText.codePoints($0.rendered)[...])) }
                .joined(separator: "\n")
            self[path] = PythonText.string(PythonText.strip(PythonText.codePoints(header + "\n" + body)[...]))
        }
    }

    public subscript(path: String) -> String? {
        get { values[ExactString(path)] }
        set {
            let key = ExactString(path)
            if let newValue {
                if values[key] == nil { paths.append(path) }
                values[key] = newValue
            } else if values.removeValue(forKey: key) != nil {
                paths.removeAll { ExactString($0) == key }
            }
        }
    }

    public var isEmpty: Bool { paths.isEmpty }
    public var count: Int { paths.count }
    public var entries: [(path: String, change: String)] { paths.map { ($0, values[ExactString($0)] ?? "") } }

    /// `dict.update`.
    public mutating func update(with other: NormalizedPatch) {
        for (path, change) in other.entries { self[path] = change }
    }

    public static func == (l: NormalizedPatch, r: NormalizedPatch) -> Bool {
        l.paths.map(ExactString.init) == r.paths.map(ExactString.init) && l.values == r.values
    }

    private static func dropPrefix(_ prefix: String, _ s: String) -> String {
        s.unicodeScalars.starts(with: prefix.unicodeScalars) ? PythonText.string(PythonText.codePoints(s).dropFirst(2)) : s
    }
}
