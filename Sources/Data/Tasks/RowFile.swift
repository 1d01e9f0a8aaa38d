import Foundation

/// Reads the three shapes SWE-bench accepts for rows and predictions: JSONL (one object a line), a
/// JSON list of objects, or a JSON object keyed by instance id. Each object comes with where it
/// was, so errors can name it.
public enum RowFile {
    /// A line of a JSONL file that is not an object.
    public struct Problem: Sendable, CustomStringConvertible {
        public let file: String
        public let line: Int
        public let message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public struct Located: Sendable {
        public let object: [String: JSONValue]
        /// `FILE:LINE` for JSONL, `FILE: entry N` for a list, `FILE: key ID` for a dict.
        public let location: String
        /// The 1-based line, for JSONL.
        public var line: Int? = nil
        /// The dict key the object was stored under, for a dict keyed by id.
        public var key: String? = nil
    }

    /// The objects, and the problems of lines that are not objects (JSONL goes on past them, so
    /// the caller can report every problem at once). A file that cannot be read at all throws.
    public static func read(_ path: String) throws(TaskFileError) -> (rows: [Located], problems: [Problem]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaskFileError(file: path, problems: ["cannot read \(path): no such file or not readable"])
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// The same, for text already read; `file` names it in locations and problems.
    public static func parse(_ text: String, file path: String) throws(TaskFileError) -> (rows: [Located], problems: [Problem]) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw TaskFileError(file: path, problems: ["\(path) is empty"]) }
        let decoder = JSONDecoder()
        // A whole-file JSON document: a list or a dict keyed by id.
        if trimmed.first == "[" || (trimmed.first == "{" && !looksLikeJSONL(trimmed)) {
            let rows = try readDocument(trimmed, path: path)
            return (rows, [])
        }
        var out: [Located] = [], problems: [Problem] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let stripped = line.trimmingCharacters(in: .whitespaces)
            if stripped.isEmpty { continue }
            do {
                let value = try decoder.decode(JSONValue.self, from: Data(stripped.utf8))
                guard case .object(let o) = value else { problems.append(Problem(file: path, line: n + 1, message: "\(value.typeName), not an object")); continue }
                out.append(Located(object: o, location: "\(path):\(n + 1)", line: n + 1))
            } catch {
                problems.append(Problem(file: path, line: n + 1, message: "not valid JSON: \(describe(error))"))
            }
        }
        return (out, problems)
    }

    private static func readDocument(_ trimmed: String, path: String) throws(TaskFileError) -> [Located] {
        let decoder = JSONDecoder()
        let value: JSONValue
        do { value = try decoder.decode(JSONValue.self, from: Data(trimmed.utf8)) } catch {
            throw TaskFileError(file: path, problems: ["\(path): not valid JSON: \(describe(error))"])
        }
        switch value {
        case .array(let items):
            var out: [Located] = [], problems: [String] = []
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item else { problems.append("\(path): entry \(i + 1) is \(item.typeName), not an object"); continue }
                out.append(Located(object: o, location: "\(path): entry \(i + 1)"))
            }
            if !problems.isEmpty { throw TaskFileError(file: path, problems: problems) }
            return out
        case .object(let dict):
            var out: [Located] = [], problems: [String] = []
            for key in dict.keys.sorted() {
                guard case .object(var o) = dict[key] ?? .null else { problems.append("\(path): key \(key) is not an object"); continue }
                if o["instance_id"] == nil { o["instance_id"] = .string(key) }
                out.append(Located(object: o, location: "\(path): key \(key)", key: key))
            }
            if !problems.isEmpty { throw TaskFileError(file: path, problems: problems) }
            return out
        default:
            throw TaskFileError(file: path, problems: ["\(path): expected a list or an object, found \(value.typeName)"])
        }
    }

    /// A file starting with `{` is JSONL when its first line is a whole object that is a row (it
    /// has a string `instance_id`, is a CWM rollout line, or has a value that is not an object,
    /// which a dict keyed by id never has) or when it has several lines.
    private static func looksLikeJSONL(_ text: String) -> Bool {
        guard let firstLine = text.split(separator: "\n").first,
              case .object(let o)? = try? JSONDecoder().decode(JSONValue.self, from: Data(firstLine.utf8)) else { return false }
        let holdsNonObject = o.values.contains { if case .object = $0 { return false } else { return true } }
        return o["instance_id"]?.stringValue != nil || o["rollouts"] != nil || holdsNonObject || text.contains("\n")
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// Every problem found in a task or prediction file, each naming the place (file and line, or entry,
/// and the key).
public struct TaskFileError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let problems: [String]

    public var description: String {
        let shown = problems.prefix(20).joined(separator: "\n  ")
        let more = problems.count > 20 ? "\n  … and \(problems.count - 20) more" : ""
        return "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(file):\n  \(shown)\(more)"
    }
}
