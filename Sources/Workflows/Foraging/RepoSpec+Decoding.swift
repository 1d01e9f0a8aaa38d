import Foundation

extension RepoSpec {
    /// Decodes and checks every field, collecting all the problems (each naming its field) rather
    /// than stopping at the first; `load` adds the file's name to each.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var problems: [String] = []

        func string(_ key: CodingKeys, default value: String? = nil) -> String {
            switch Field(c, key, String.self) {
            case .value(let s) where !s.isEmpty: return s
            case .value: problems.append("field '\(key.stringValue)' is empty")
            case .missing: if let value { return value }; problems.append("field '\(key.stringValue)' is missing")
            case .null, .wrongType: problems.append("field '\(key.stringValue)' should be a string")
            }
            return value ?? ""
        }
        let name = string(.name), image = string(.image), testCommand = string(.testCommand)
        let repoRoot = string(.repoRoot, default: "/testbed"), logParser = string(.logParser, default: "pytest")
        let python = string(.python, default: "python")
        if !repoRoot.hasPrefix("/") { problems.append("field 'repo_root' must be an absolute path, found '\(repoRoot)'") }

        var dirs: [String] = []
        switch Field(c, .sourceDirectories, [ListItem].self) {
        case .value(let list):
            for (i, item) in list.enumerated() {
                if let s = item.string, !s.isEmpty, !s.hasPrefix("/"), !s.split(separator: "/").contains("..") {
                    dirs.append(s)
                } else {
                    problems.append("field 'source_dirs' item \(i + 1) should be a relative folder inside repo_root")
                }
            }
            if list.isEmpty { problems.append("field 'source_dirs' is empty (name the folders to mutate)") }
        case .missing: problems.append("field 'source_dirs' is missing (a list of folders to mutate)")
        case .null, .wrongType: problems.append("field 'source_dirs' should be a list of folders")
        }

        var timeout: Double?
        switch Field(c, .timeout, Double.self) {
        case .missing, .null: break
        case .value(let n) where n > 0: timeout = n
        case .value, .wrongType: problems.append("field 'timeout' should be a positive number of seconds")
        }

        var flaky: Set<String> = [], baselinePassed: Set<String>?
        switch Field(c, .baseline, Baseline.self) {
        case .missing, .null: break
        case .value(let baseline):
            flaky = Set(baseline.flaky ?? [])
            baselinePassed = baseline.passed.map(Set.init)
        case .wrongType: problems.append("field 'baseline' should be an object whose 'passed' and 'flaky' are lists of test names")
        }

        if !problems.isEmpty { throw RepoSpecProblems(list: problems) }
        self.init(name: name, image: image, repoRoot: repoRoot, testCommand: testCommand, logParser: logParser,
                  sourceDirectories: dirs, python: python, timeout: timeout, flakyTests: flaky, baselinePassed: baselinePassed)
    }
}

extension RepoSpec {
    /// The fields `init(from:)` reads; the flaky tests as `baseline.flaky` (sorted), when there are any.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(image, forKey: .image)
        try c.encode(repoRoot, forKey: .repoRoot)
        try c.encode(testCommand, forKey: .testCommand)
        try c.encode(logParser, forKey: .logParser)
        try c.encode(sourceDirectories, forKey: .sourceDirectories)
        try c.encode(python, forKey: .python)
        try c.encodeIfPresent(timeout, forKey: .timeout)
        if !flakyTests.isEmpty || baselinePassed != nil {
            try c.encode(Baseline(passed: baselinePassed?.sorted(), flaky: flakyTests.sorted()), forKey: .baseline)
        }
    }
}

/// What one key of the spec holds.
private enum Field<T: Decodable> {
    case missing, null, wrongType
    case value(T)

    init(_ c: KeyedDecodingContainer<RepoSpec.CodingKeys>, _ key: RepoSpec.CodingKeys, _ type: T.Type) {
        if !c.contains(key) {
            self = .missing
        } else if (try? c.decodeNil(forKey: key)) == true {
            self = .null
        } else if let value = try? c.decode(T.self, forKey: key) {
            self = .value(value)
        } else {
            self = .wrongType
        }
    }
}

/// An item of `source_dirs`, whatever its type (only strings are folders).
private struct ListItem: Decodable {
    let string: String?
    init(from decoder: any Decoder) throws {
        string = try? decoder.singleValueContainer().decode(String.self)
    }
}

/// The problems of one spec, before `load` names the file.
struct RepoSpecProblems: Error {
    let list: [String]
}
