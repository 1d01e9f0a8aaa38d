import Foundation

/// A repository to forage (`Tasks/repos/<name>.json`): the image holding it, where it lives, how
/// its tests run and are parsed, and which source folders may be mutated.
public struct RepoSpec: Sendable, Equatable {
    public var name: String
    public var image: String
    public var repoRoot: String
    public var testCommand: String
    public var logParser: String
    public var sourceDirectories: [String]
    /// The Python that runs Forager's helper in the image (default `python`, the image's PATH one).
    public var python: String
    /// Seconds one validation run of the tests may take; nil: derived from the reference run.
    public var timeout: Double?
    /// The file it was read from (for messages).
    public var file: String

    public init(name: String, image: String, repoRoot: String = "/testbed", testCommand: String, logParser: String = "pytest",
                sourceDirectories: [String], python: String = "python", timeout: Double? = nil, file: String = "<memory>") {
        self.name = name
        self.image = image
        self.repoRoot = repoRoot
        self.testCommand = testCommand
        self.logParser = logParser
        self.sourceDirectories = sourceDirectories
        self.python = python
        self.timeout = timeout
        self.file = file
    }

    /// Reads and checks a spec file; every problem names the file and the field.
    public static func load(_ path: String) throws(RepoSpecError) -> RepoSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalid(path, ["the file is not a JSON object"])
        }
        var problems: [String] = []
        func string(_ key: String, default value: String? = nil) -> String {
            switch object[key] {
            case let s as String where !s.isEmpty: return s
            case nil: if let value { return value }; problems.append("field '\(key)' is missing")
            case is String: problems.append("field '\(key)' is empty")
            default: problems.append("field '\(key)' should be a string")
            }
            return value ?? ""
        }
        let name = string("name"), image = string("image"), testCommand = string("test_cmd")
        let repoRoot = string("repo_root", default: "/testbed"), logParser = string("log_parser", default: "pytest")
        let python = string("python", default: "python")
        if !repoRoot.hasPrefix("/") { problems.append("field 'repo_root' must be an absolute path, found '\(repoRoot)'") }
        var dirs: [String] = []
        switch object["source_dirs"] {
        case let list as [Any]:
            for (i, item) in list.enumerated() {
                if let s = item as? String, !s.isEmpty, !s.hasPrefix("/"), !s.split(separator: "/").contains("..") {
                    dirs.append(s)
                } else {
                    problems.append("field 'source_dirs' item \(i + 1) should be a relative folder inside repo_root")
                }
            }
            if list.isEmpty { problems.append("field 'source_dirs' is empty (name the folders to mutate)") }
        case nil: problems.append("field 'source_dirs' is missing (a list of folders to mutate)")
        default: problems.append("field 'source_dirs' should be a list of folders")
        }
        var timeout: Double?
        switch object["timeout"] {
        case nil, is NSNull: break
        case let n as NSNumber where n.doubleValue > 0: timeout = n.doubleValue
        default: problems.append("field 'timeout' should be a positive number of seconds")
        }
        if !problems.isEmpty { throw .invalid(path, problems) }
        return RepoSpec(name: name, image: image, repoRoot: repoRoot, testCommand: testCommand, logParser: logParser,
                        sourceDirectories: dirs, python: python, timeout: timeout, file: path)
    }

    /// The pytest arguments of `test_cmd` (`pytest …`, `python -m pytest …`), for the tracer.
    public func pytestArguments() throws(RepoSpecError) -> [String] {
        if testCommand.contains(where: { "'\"$`|;&<>\\".contains($0) }) {
            throw .invalid(file, ["field 'test_cmd' must be a plain pytest command to trace candidates (no quoting or shell syntax): '\(testCommand)'"])
        }
        var words = testCommand.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.first == "pytest" || words.first == "py.test" {
            words.removeFirst()
        } else if words.count >= 3, words[0].hasPrefix("python"), words[1] == "-m", words[2] == "pytest" {
            words.removeFirst(3)
        } else {
            throw .invalid(file, ["field 'test_cmd' must start with `pytest` or `python -m pytest` to trace candidates: '\(testCommand)'"])
        }
        return words
    }
}

public enum RepoSpecError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, [String])

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the repository spec"
        case .invalid(let path, let problems): return problems.map { "\(path): \($0)" }.joined(separator: "\n")
        }
    }
}
