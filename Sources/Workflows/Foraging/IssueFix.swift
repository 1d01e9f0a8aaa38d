import DockerEngine
import ForagerSupport
import Foundation
import Grading
import Sandbox
import Tasks

/// Issue-fix task synthesis from a repository's history (ForagerAgent's issue-fix tasks, without
/// GitHub): every non-merge commit that changes both source (under the spec's source folders) and
/// tests is a candidate whose base is the parent commit, whose gold patch is the commit's source
/// changes and whose hidden tests are its test changes. Each is validated in fresh containers with
/// Grading's evaluator: the tests (test patch applied) at the parent, then again with the gold
/// patch; FAIL_TO_PASS = fail before and pass after, PASS_TO_PASS = pass in both. Kept when
/// FAIL_TO_PASS is not empty (and, with `goldCheck`, the row's gold patch resolves it).
public struct IssueFix: Sendable {
    public enum Event: Sendable {
        case phase(String)
        case history(scanned: Int, commits: Int, candidates: Int)
        case validating(total: Int)
        /// A commit validated: its report, and its row when kept.
        case finished(CommitReport, TaskRow?)
    }

    /// What became of one commit of the history (`kept` only for candidates that validated).
    public struct CommitReport: Codable, Sendable {
        public var commit: String
        public var parent: String
        public var summary: String
        public var sourceFiles: [String]
        public var testFiles: [String]
        public var candidate: Bool
        public var instanceID: String?
        public var failToPass: Int
        public var passToPass: Int
        public var kept: Bool
        public var reason: String
        public var seconds: Double
        /// Resolved by an episode (filled by the caller that runs episodes).
        public var solved: Bool

        enum CodingKeys: String, CodingKey {
            case commit, parent, summary, sourceFiles = "source_files", testFiles = "test_files", candidate
            case instanceID = "instance_id", failToPass = "fail_to_pass", passToPass = "pass_to_pass", kept, reason, seconds, solved
        }
    }

    public struct Result: Sendable {
        public var head: String
        /// Commits walked (merges and the root included).
        public var scanned: Int
        public var candidates: Int
        public var rows: [TaskRow]
        /// Every non-merge commit, newest first.
        public var commits: [CommitReport]
        public var seconds: Double
        public var secondsPerValidated: Double? { rows.isEmpty ? nil : seconds / Double(rows.count) }
    }

    let forage: Forage
    /// A host git directory to read the history from; nil: copied out of the spec's image.
    public var gitDirectory: String?

    public init(client: DockerClient, spec: RepoSpec, options: Forage.Options, gitDirectory: String? = nil) {
        forage = Forage(client: client, spec: spec, options: options)
        self.gitDirectory = gitDirectory
    }

    public func run(progress: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> Result {
        let started = ContinuousClock.now
        let spec = forage.spec, options = forage.options
        guard let parser = LogParsers.named(spec.logParser) else {
            throw ForageError.spec(spec.file, "field 'log_parser' names '\(spec.logParser)', not one of \(LogParsers.names.joined(separator: ", "))")
        }
        let history: GitHistory
        if let gitDirectory {
            progress(.phase("reading the history of \(gitDirectory)"))
            history = try GitHistory.read(gitDirectory: gitDirectory, sourceDirectories: spec.sourceDirectories)
        } else {
            progress(.phase("copying \(spec.repoRoot)/.git out of \(spec.image) and reading its history"))
            let copied = try await GitHistory.copyGitDirectory(client: forage.client, image: spec.image, repoRoot: spec.repoRoot,
                                                               runID: options.runID)
            defer { try? FileManager.default.removeItem(at: copied.deletingLastPathComponent()) }
            history = try GitHistory.read(gitDirectory: copied.path, sourceDirectories: spec.sourceDirectories)
        }
        let candidates = history.commits.filter(\.isCandidate)
        progress(.history(scanned: history.scanned, commits: history.commits.count, candidates: candidates.count))
        progress(.validating(total: candidates.count))

        let timeout = Duration.milliseconds(Int64((options.testTimeout ?? spec.timeout ?? 900) * 1000))
        let validated = await withTaskGroup(of: (Int, CommitReport, TaskRow?).self) { group in
            var results: [(Int, CommitReport, TaskRow?)] = []
            var queue = candidates.enumerated().makeIterator()
            func launch() {
                guard let (index, commit) = queue.next() else { return }
                group.addTask {
                    let (report, row) = await validate(commit, parser: parser, timeout: timeout)
                    return (index, report, row)
                }
            }
            for _ in 0..<options.workers { launch() }
            for await result in group {
                results.append(result)
                progress(.finished(result.1, result.2))
                launch()
            }
            return results.sorted { $0.0 < $1.0 }
        }
        var bySha: [String: CommitReport] = [:]
        for (_, report, _) in validated { bySha[report.commit] = report }
        let reports = history.commits.map { c in
            bySha[c.sha] ?? Self.report(c, candidate: false,
                                        reason: c.sourcePatch.isEmpty && c.testPatch.isEmpty ? "changes neither source nor tests"
                                            : c.sourcePatch.isEmpty ? "changes no source file" : "changes no test file")
        }
        let elapsed = ContinuousClock.now - started
        return Result(head: history.head, scanned: history.scanned, candidates: candidates.count,
                      rows: validated.compactMap(\.2), commits: reports,
                      seconds: elapsed.seconds)
    }

    /// The stable id of a commit's task: `<repo>.<parent8>.issue__<commit8>` (base, then the fix).
    public static func instanceID(repo: String, commit: GitHistory.Commit) -> String {
        "\(repo).\(commit.parent.prefix(8)).issue__\(commit.sha.prefix(8))"
    }

    static func report(_ c: GitHistory.Commit, candidate: Bool, reason: String) -> CommitReport {
        CommitReport(commit: c.sha, parent: c.parent, summary: summary(c.message), sourceFiles: c.sourceFiles, testFiles: c.testFiles,
                     candidate: candidate, instanceID: nil, failToPass: 0, passToPass: 0, kept: false, reason: reason, seconds: 0, solved: false)
    }

    static func summary(_ message: String) -> String {
        String(message.split(separator: "\n", omittingEmptySubsequences: true).first ?? "")
    }

    /// One candidate: the tests at the parent with the test patch, then with the gold patch too.
    func validate(_ commit: GitHistory.Commit, parser: any TestLogParser, timeout: Duration) async -> (CommitReport, TaskRow?) {
        let clock = ContinuousClock.now
        let id = Self.instanceID(repo: forage.spec.name, commit: commit)
        var report = Self.report(commit, candidate: true, reason: "")
        report.instanceID = id
        func done(_ row: TaskRow?, _ reason: String) -> (CommitReport, TaskRow?) {
            let d = ContinuousClock.now - clock
            report.seconds = d.seconds
            report.reason = reason
            report.kept = row != nil
            return (report, row)
        }
        var row = forage.baseRow(id: id)
        row.baseCommit = commit.parent
        row.testPatch = commit.testPatch
        let runID = forage.options.runID
        // One after the other, so `workers` stays the number of containers at once.
        let before = await forage.evaluator.evaluateTree(task: row, runID: runID, directory: forage.directory("before/\(id)"), timeout: timeout)
        let after = await forage.evaluator.evaluate(
            task: row, prediction: Prediction(instanceID: id, modelNameOrPath: "gold", modelPatch: commit.sourcePatch),
            runID: runID, directory: forage.directory("after/\(id)"), timeout: timeout)
        if before.timedOut || after.timedOut { return done(nil, "tests timed out") }
        guard before.outcome != .infraFailure, let beforeOutput = before.testOutput else {
            return done(nil, "could not run at the parent: \(before.message ?? "")")
        }
        guard after.outcome != .infraFailure, after.report?.patchSuccessfullyApplied == true, let afterOutput = after.testOutput else {
            return done(nil, "the gold patch did not apply at the parent: \(after.message ?? "")")
        }
        for file in commit.testFiles where !beforeOutput.contains("Applied patch \(file) cleanly") {
            return done(nil, "the test patch does not apply at the parent (\(file))")
        }
        let pre = parser.parse(Grader.testOutput(of: beforeOutput)), post = parser.parse(Grader.testOutput(of: afterOutput))
        // Tests the environment's baseline found flaky never become FAIL_TO_PASS or PASS_TO_PASS.
        let steady = post.filter { $0.value == .passed && !forage.spec.flakyTests.contains($0.key) }
        let failToPass = steady.filter { pre[$0.key] != .passed }.map(\.key).sorted()
        let passToPass = steady.filter { pre[$0.key] == .passed }.map(\.key).sorted()
        report.failToPass = failToPass.count
        report.passToPass = passToPass.count
        guard !failToPass.isEmpty else { return done(nil, "no test fails at the parent and passes with the commit") }

        row.patch = commit.sourcePatch
        row.failToPass = failToPass
        row.passToPass = passToPass
        row.problemStatement = ProblemStatement.issue(message: commit.message, failing: failToPass, testOutput: beforeOutput,
                                                      testCommand: forage.spec.testCommand, repoRoot: forage.spec.repoRoot)
        row.extra = [
            "forage_mode": .string("issue-fix"), "commit": .string(commit.sha),
            "commit_summary": .string(Self.summary(commit.message)),
        ]
        if forage.options.goldCheck {
            let gold = await forage.evaluator.evaluate(
                task: row, prediction: Prediction(instanceID: id, modelNameOrPath: "gold", modelPatch: commit.sourcePatch),
                runID: runID, directory: forage.directory("gold/\(id)"), timeout: timeout)
            guard gold.outcome == .resolved else { return done(nil, "the gold patch does not resolve it (\(gold.outcome.rawValue))") }
        }
        return done(row, "kept: \(failToPass.count) FAIL_TO_PASS, \(passToPass.count) PASS_TO_PASS")
    }
}
