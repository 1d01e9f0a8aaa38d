import Foundation
import ForagerSupport

/// Loads and validates task rows, collecting every problem before failing.
public enum TaskLoader {
    public static func load(_ path: String) throws(TaskFileError) -> [TaskRow] {
        try rows(of: RowFile.read(path), file: path)
    }

    /// The same, for text already read (e.g. a task row stored with an episode); `source` names it.
    public static func load(text: String, source: String) throws(TaskFileError) -> [TaskRow] {
        try rows(of: RowFile.parse(text, file: source), file: source)
    }

    private static func rows(of file: (rows: [RowFile.Located], problems: [RowFile.Problem]),
                             file path: String) throws(TaskFileError) -> [TaskRow] {
        var rows: [TaskRow] = [], problems = file.problems.map(\.description)
        var seen: [String: String] = [:]
        for located in file.rows {
            switch row(from: located.object, at: located.location) {
            case .success(let row):
                if let first = seen[row.instanceID] {
                    problems.append("\(located.location): instance_id \(row.instanceID) repeats the one at \(first)")
                } else {
                    seen[row.instanceID] = located.location
                    rows.append(row)
                }
            case .failure(let p):
                problems.append(contentsOf: p.problems)
            }
        }
        if !problems.isEmpty { throw TaskFileError(file: path, problems: problems) }
        return rows
    }

    private struct Problems: Error { var problems: [String] }

    private static let known: Set<String> = [
        "instance_id", "repo", "base_commit", "patch", "test_patch", "problem_statement", "hints_text", "created_at",
        "version", "environment_setup_commit", "FAIL_TO_PASS", "PASS_TO_PASS", "image", "repo_root", "test_cmd",
        "log_parser", "eval_script", "timeout", "bug_patch",
    ]

    private static func row(from o: [String: JSONValue], at place: String) -> Result<TaskRow, Problems> {
        var problems: [String] = []
        func string(_ key: String, required: Bool = false) -> String? {
            switch o[key] {
            case .string(let s)?:
                if required && s.isEmpty { problems.append("\(place): key '\(key)' is empty") }
                return s
            case nil, .null?:
                if required { problems.append("\(place): key '\(key)' is missing") }
                return nil
            case let other?:
                problems.append("\(place): key '\(key)' should be a string, found \(other.typeName)")
                return nil
            }
        }
        /// FAIL_TO_PASS / PASS_TO_PASS: a list of strings, or a JSON-encoded list (the HF form).
        func testList(_ key: String) -> [String] {
            var value = o[key]
            if case .string(let encoded)? = value {
                guard let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(encoded.utf8)) else {
                    problems.append("\(place): key '\(key)' is a string that is not a JSON-encoded list")
                    return []
                }
                value = decoded
            }
            switch value {
            case .array(let items)?:
                var out: [String] = []
                for (i, item) in items.enumerated() {
                    guard let s = item.stringValue else {
                        problems.append("\(place): key '\(key)' item \(i + 1) is \(item.typeName), not a test name")
                        continue
                    }
                    out.append(s)
                }
                return out
            case nil, .null?:
                problems.append("\(place): key '\(key)' is missing (a list of test names)")
                return []
            case let other?:
                problems.append("\(place): key '\(key)' should be a list of test names, found \(other.typeName)")
                return []
            }
        }

        let id = string("instance_id", required: true) ?? ""
        if !id.isEmpty, let reason = FileNames.unusableReason(id) {
            problems.append("\(place): instance_id \(quoted(id)) cannot be used (it names the instance's log and export files): \(reason)")
        }
        // SWE-smith rows: `image_name` is the image, `patch` the bug-introducing diff (its reverse the
        // fix), no test patch, and the repository's own suite as the tests.
        let swesmith = SWESmithRow.recognizes(o)
        let givenImage = string("image") ?? (swesmith ? string("image_name") : nil)
        if givenImage?.isEmpty == true { problems.append("\(place): key 'image' is empty") }
        let image = givenImage ?? OfficialImage().name(for: id)
        var testCommand = string("test_cmd")
        if swesmith && (testCommand ?? "").isEmpty && (string("eval_script") ?? "").isEmpty { testCommand = SWESmithRow.testCommand }
        let evalScript = string("eval_script")
        let repo = string("repo") ?? "", version = string("version") ?? ""
        let specs = SWEBenchSpecs.bundled
        if (testCommand ?? "").isEmpty && (evalScript ?? "").isEmpty, specs.spec(repo: repo, version: version) == nil {
            problems.append("\(place): needs 'test_cmd' or 'eval_script' to run the tests, or a 'repo' and 'version' "
                            + "that SWE-bench's harness specifications know (repo '\(repo)', version '\(version)' is not among them)")
        }
        let givenParser = string("log_parser")
        var timeout: Double?
        switch o["timeout"] {
        case .number(let n)?:
            if n > 0 { timeout = n } else { problems.append("\(place): key 'timeout' must be a positive number of seconds") }
        case nil, .null?: break
        case let other?: problems.append("\(place): key 'timeout' should be a number of seconds, found \(other.typeName)")
        }
        let repoRoot = string("repo_root") ?? "/testbed"
        if !repoRoot.hasPrefix("/") { problems.append("\(place): key 'repo_root' must be an absolute path, found '\(repoRoot)'") }
        var patch = string("patch") ?? "", bugPatch = string("bug_patch") ?? ""
        if swesmith && bugPatch.isEmpty && !patch.isEmpty {
            do {
                bugPatch = patch
                patch = try ReversedDiff.reverse(patch)
            } catch {
                problems.append("\(place): the SWE-smith row's 'patch' (the bug) cannot be turned into its fix: \(error)")
            }
        }
        let row = TaskRow(
            instanceID: id, repo: repo, baseCommit: swesmith ? "" : string("base_commit") ?? "",
            patch: patch, testPatch: string("test_patch") ?? "",
            problemStatement: string("problem_statement") ?? "", hintsText: string("hints_text") ?? "",
            createdAt: string("created_at") ?? "", version: version,
            environmentSetupCommit: string("environment_setup_commit") ?? "",
            failToPass: testList("FAIL_TO_PASS"), passToPass: testList("PASS_TO_PASS"), image: image,
            repoRoot: repoRoot, testCommand: testCommand,
            logParser: givenParser ?? specs.repos[repo]?.logParser.forager ?? "pytest",
            evalScript: evalScript, timeout: timeout, bugPatch: bugPatch, extra: o.filter { !known.contains($0.key) },
            imageGiven: givenImage != nil, logParserGiven: givenParser != nil)
        return problems.isEmpty ? .success(row) : .failure(Problems(problems: problems))
    }
}

/// An id as a problem line shows it: JSON-quoted, so control characters are visible.
func quoted(_ id: String) -> String {
    JSONValue.string(id).encoded()
}

/// SWE-smith's rows (`SWE-bench/SWE-smith`): recognised by `image_name` or a `swesmith/` mirror repo.
enum SWESmithRow {
    static func recognizes(_ o: [String: JSONValue]) -> Bool {
        if case .string(let name)? = o["image_name"], !name.isEmpty { return true }
        if case .string(let repo)? = o["repo"], repo.hasPrefix("swesmith/") { return true }
        return false
    }

    /// The whole suite with pytest's `-rA` summary (what the `pytest` parser reads); a row's own
    /// `test_cmd` wins. SWE-smith's Python profiles run `pytest --disable-warnings --color=no
    /// --tb=no --verbose` in the `testbed` environment and read the verbose lines instead.
    static let testCommand = "pytest --disable-warnings --color=no --tb=no -rA -p no:cacheprovider"
}
