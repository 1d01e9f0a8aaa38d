import Foundation

/// One task: a SWE-bench row plus Forager's execution keys.
///
/// SWE-bench keys keep their names (`instance_id`, `repo`, `base_commit`, `patch`, `test_patch`,
/// `problem_statement`, `FAIL_TO_PASS`, `PASS_TO_PASS`, …). Forager adds `image`, `repo_root`
/// (default `/testbed`), `test_cmd`, `log_parser`, and optional `eval_script`, `timeout` and
/// `bug_patch` (mutate-fix tasks: applied to the image's tree before the agent starts and before
/// grading; `patch`, the gold fix, is its reverse).
/// Keys Forager does not know are kept in `extra`, so rows survive a round trip.
public struct TaskRow: Sendable, Equatable {
    public var instanceID: String
    public var repo: String
    public var baseCommit: String
    public var patch: String
    public var testPatch: String
    public var problemStatement: String
    public var hintsText: String
    public var createdAt: String
    public var version: String
    public var environmentSetupCommit: String
    public var failToPass: [String]
    public var passToPass: [String]
    public var image: String
    public var repoRoot: String
    public var testCommand: String?
    public var logParser: String
    public var evalScript: String?
    /// Seconds the tests may run at grading.
    public var timeout: Double?
    /// A diff applied to the repository before the episode and before grading (empty: none).
    public var bugPatch: String
    /// Keys this model does not name, as JSON values.
    public var extra: [String: JSONValue]
    /// Whether the row named its `image` (false: the official SWE-bench image was derived from the id).
    public var imageGiven: Bool
    /// Whether the row named its `log_parser` (false: derived from the repository, or the default).
    public var logParserGiven: Bool

    public init(
        instanceID: String, repo: String = "", baseCommit: String = "", patch: String = "", testPatch: String = "",
        problemStatement: String = "", hintsText: String = "", createdAt: String = "", version: String = "",
        environmentSetupCommit: String = "", failToPass: [String] = [], passToPass: [String] = [], image: String,
        repoRoot: String = "/testbed", testCommand: String? = nil, logParser: String = "pytest", evalScript: String? = nil,
        timeout: Double? = nil, bugPatch: String = "", extra: [String: JSONValue] = [:],
        imageGiven: Bool = true, logParserGiven: Bool = true
    ) {
        self.instanceID = instanceID
        self.repo = repo
        self.baseCommit = baseCommit
        self.patch = patch
        self.testPatch = testPatch
        self.problemStatement = problemStatement
        self.hintsText = hintsText
        self.createdAt = createdAt
        self.version = version
        self.environmentSetupCommit = environmentSetupCommit
        self.failToPass = failToPass
        self.passToPass = passToPass
        self.image = image
        self.repoRoot = repoRoot
        self.testCommand = testCommand
        self.logParser = logParser
        self.evalScript = evalScript
        self.timeout = timeout
        self.bugPatch = bugPatch
        self.extra = extra
        self.imageGiven = imageGiven
        self.logParserGiven = logParserGiven
    }

    /// A classic SWE-bench row: no `test_cmd` and no `eval_script` of its own, so the harness's
    /// specifications for its repository and version say how to run its tests.
    public var isClassic: Bool { (testCommand ?? "").isEmpty && (evalScript ?? "").isEmpty }

    /// The row as SWE-bench-shaped JSON, Forager's keys included (lists stay lists).
    public var jsonObject: [String: JSONValue] {
        var o = extra
        o["instance_id"] = .string(instanceID)
        o["repo"] = .string(repo)
        o["base_commit"] = .string(baseCommit)
        o["patch"] = .string(patch)
        o["test_patch"] = .string(testPatch)
        o["problem_statement"] = .string(problemStatement)
        o["hints_text"] = .string(hintsText)
        o["created_at"] = .string(createdAt)
        o["version"] = .string(version)
        o["environment_setup_commit"] = .string(environmentSetupCommit)
        o["FAIL_TO_PASS"] = .array(failToPass.map(JSONValue.string))
        o["PASS_TO_PASS"] = .array(passToPass.map(JSONValue.string))
        if imageGiven { o["image"] = .string(image) }
        o["repo_root"] = .string(repoRoot)
        if logParserGiven { o["log_parser"] = .string(logParser) }
        if let testCommand { o["test_cmd"] = .string(testCommand) }
        if let evalScript { o["eval_script"] = .string(evalScript) }
        if let timeout { o["timeout"] = .number(timeout) }
        if !bugPatch.isEmpty { o["bug_patch"] = .string(bugPatch) }
        return o
    }
}

extension TaskRow {
    /// How long the hidden tests may run: the row's own `timeout` when it has one, else
    /// `fallback` (the `--timeout` of eval, the `--grade-timeout` of run and forage).
    public func testTimeout(default fallback: Duration) -> Duration {
        timeout.map { .milliseconds(Int64($0 * 1000)) } ?? fallback
    }
}
