import DockerEngine
import Foraging
import Foundation
import Grading
import Sandbox
import Tasks
import Testing
import TestSupport

/// Foraging the demo calc repository end to end against the real engine: validated rows resolve
/// with their gold patch and not without it; the Runner's bug setup hides the clean version.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct ForageDockerTests {
    static let calcSpec = packageRoot.appendingPathComponent("Tasks/repos/calc.json").path

    func forage(mutations: Int, logs: URL, flaky: Set<String> = [], baselinePassed: Set<String>? = nil,
                tests: TestScope = .covering) async throws -> Forage.Result {
        try await TestImages.shared.ensure(["demo-calc"])
        let client = try await DockerClient.connect()
        var spec = try RepoSpec.load(Self.calcSpec)
        spec.flakyTests = flaky
        spec.baselinePassed = baselinePassed
        return try await Forage(client: client, spec: spec, options: .init(
            mutations: mutations, workers: 2, seed: 7, runID: "forage-test-\(UUID().uuidString.prefix(8))", logsDirectory: logs,
            tests: tests)).run()
    }

    @Test(.timeLimit(.minutes(15)))
    func validatedRowsResolveWithGoldAndNotWithout() async throws {
        let logs = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: logs) }
        let result = try await forage(mutations: 6, logs: logs)
        #expect(result.candidateFunctions > 5)
        #expect(result.outcomes.count == 6)
        #expect(!result.rows.isEmpty)
        #expect(result.operators.map(\.applied).reduce(0, +) == 6)

        // The rows survive the task file round trip, bug_patch included.
        let file = logs.appendingPathComponent("tasks.jsonl")
        try Data(result.rows.map { JSONValue.object($0.jsonObject).encoded() + "\n" }.joined().utf8).write(to: file)
        let loaded = try TaskLoader.load(file.path)
        #expect(loaded == result.rows)

        let client = try await DockerClient.connect()
        let evaluator = InstanceEvaluator(client: client, grade: Grader.grade)
        for row in loaded {
            #expect(row.instanceID.hasPrefix("calc.\(result.baseCommit.prefix(8)).\(row.extra["mutation_operator"]?.stringValue ?? "?")__"))
            #expect(!row.failToPass.isEmpty && !row.passToPass.isEmpty)
            #expect(Set(row.failToPass).isDisjoint(with: row.passToPass))
            #expect(row.problemStatement.contains(row.failToPass[0]))
            #expect(!row.bugPatch.isEmpty && row.patch != row.bugPatch)
            // Validated on the test files that executed the mutated function: the row's command
            // names them in place of the spec's `tests`, and every task test lives in one of them.
            let words = Set((row.testCommand ?? "").split(separator: " ").map(String.init))
            #expect(row.extra["validation_tests"]?.stringValue == "covering", "\(row.instanceID): \(row.testCommand ?? "")")
            #expect(row.testCommand?.hasPrefix("pytest -rA -p no:cacheprovider tests/") == true && !words.contains("tests"))
            for test in row.failToPass + row.passToPass {
                #expect(words.contains(String(CoveringTests.fileID(of: test))), "\(test) not in \(row.testCommand ?? "")")
            }
            let dir = logs.appendingPathComponent("check/\(row.instanceID)")
            let gold = await evaluator.evaluate(task: row, prediction: Prediction(instanceID: row.instanceID, modelNameOrPath: "gold", modelPatch: row.patch),
                                                runID: "check", directory: dir.appendingPathComponent("gold"), timeout: .seconds(300))
            #expect(gold.outcome == .resolved, "\(row.instanceID): gold \(gold.outcome) \(gold.message ?? "")")
            let empty = await evaluator.evaluate(task: row, prediction: Prediction(instanceID: row.instanceID, modelNameOrPath: "empty", modelPatch: ""),
                                                 runID: "check", directory: dir.appendingPathComponent("empty"), timeout: .seconds(300))
            #expect(empty.outcome == .emptyPatch)
            // A patch that changes nothing that matters: the bug stays, the FAIL_TO_PASS tests fail.
            let unrelated = "diff --git a/NOTES.md b/NOTES.md\nnew file mode 100644\n--- /dev/null\n+++ b/NOTES.md\n@@ -0,0 +1 @@\n+notes\n"
            let noFix = await evaluator.evaluate(task: row, prediction: Prediction(instanceID: row.instanceID, modelNameOrPath: "nofix", modelPatch: unrelated),
                                                 runID: "check", directory: dir.appendingPathComponent("nofix"), timeout: .seconds(300))
            #expect(noFix.outcome == .unresolved)
            #expect(noFix.report?.testsStatus?.failToPass.failure == row.failToPass)
        }

        // Test files a prediction touches are put back before the tests run (there is no test
        // patch to restore them from): the gold fix plus a new test that would fail still resolves.
        let row = try #require(loaded.first)
        let extraTest = "diff --git a/tests/test_extra.py b/tests/test_extra.py\nnew file mode 100644\n--- /dev/null\n+++ b/tests/test_extra.py\n@@ -0,0 +1,2 @@\n+def test_extra():\n+    assert False\n"
        let dir = logs.appendingPathComponent("check/tests-restored")
        let withTest = await evaluator.evaluate(task: row, prediction: Prediction(instanceID: row.instanceID, modelNameOrPath: "gold+test", modelPatch: row.patch + extraTest),
                                                runID: "check", directory: dir, timeout: .seconds(300))
        #expect(withTest.outcome == .resolved)
        #expect(try String(contentsOf: dir.appendingPathComponent("run_instance.log"), encoding: .utf8).contains("Restored test files"))
        #expect(withTest.testOutput?.contains("test_extra") == false)
    }

    /// `--tests all`: every validation runs the whole suite, so the row keeps the spec's command and
    /// its FAIL_TO_PASS and PASS_TO_PASS together are every passing test.
    @Test(.timeLimit(.minutes(10)))
    func theWholeSuiteScopeGradesEveryPassingTest() async throws {
        let logs = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: logs) }
        let result = try await forage(mutations: 3, logs: logs, tests: .all)
        let spec = try RepoSpec.load(Self.calcSpec)
        #expect(!result.rows.isEmpty)
        for row in result.rows {
            #expect(row.testCommand == spec.testCommand)
            #expect(row.extra["validation_tests"]?.stringValue == "all")
            #expect(row.failToPass.count + row.passToPass.count == result.referencePassing)
        }
    }

    /// The spec's baseline (what `forager env build` found) bounds every row: its flaky tests (here
    /// all of test_parser.py) and tests it did not see pass (here test_evaluator.py, left out of
    /// `baseline.passed`) are never FAIL_TO_PASS or PASS_TO_PASS. Names read from the demo's source.
    @Test(.timeLimit(.minutes(10)))
    func onlyTheBaselinesSteadyTestsBecomeTaskTests() async throws {
        let logs = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: logs) }
        func tests(_ file: String) throws -> Set<String> {
            let source = try String(contentsOf: packageRoot.appendingPathComponent("Images/demo-calc/project/tests/\(file)"), encoding: .utf8)
            return Set(source.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("def test") else { return nil }
                return "tests/\(file)::" + line.dropFirst(4).prefix { $0 != "(" }
            })
        }
        let flaky = try tests("test_parser.py"), tokens = try tests("test_tokens.py")
        #expect(flaky.count == 14 && tokens.count == 8)
        let result = try await forage(mutations: 6, logs: logs, flaky: flaky, baselinePassed: tokens.union(flaky))
        #expect(result.referencePassing == 8, "test_tokens.py only: test_parser.py is flaky, test_evaluator.py not in the baseline")
        for row in result.rows {
            #expect((Set(row.failToPass).union(row.passToPass)).isSubset(of: tokens), "\(row.instanceID)")
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func episodeSetupFoldsTheBugIntoHeadAndTheScrubDropsTheCleanVersion() async throws {
        let logs = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: logs) }
        let row = try #require(try await forage(mutations: 2, logs: logs).rows.first)
        let file = try #require(row.extra["mutation_file"]?.stringValue)
        let client = try await DockerClient.connect()
        let config = SandboxConfig(image: row.image, repoRoot: row.repoRoot, runID: "forage-test", role: .agent)
        try await Sandbox.with(client: client, config: config) { sandbox in
            func sh(_ command: String) async throws -> String {
                let r = try await client.exec(container: sandbox.containerID, ["bash", "-c", command], workingDir: row.repoRoot)
                return r.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let cleanBlob = try await sh("git rev-parse HEAD:\(file)")
            try await BugPatch.apply(task: row, client: client, containerID: sandbox.containerID, commit: true)
            try await sandbox.scrubGitHistory()
            #expect(try await sh("git status --porcelain") == "")
            #expect(try await sh("git rev-list --all | wc -l") == "1")
            #expect(try await sh("git cat-file -e \(cleanBlob) 2>/dev/null && echo present || echo gone") == "gone")
            // The gold patch is what the agent has to write: it applies to the tree it sees.
            try await client.writeFile(container: sandbox.containerID, path: "/tmp/gold.diff", contents: Data(row.patch.utf8))
            #expect(try await sh("git apply --check /tmp/gold.diff && echo ok") == "ok")
        }
    }
}
