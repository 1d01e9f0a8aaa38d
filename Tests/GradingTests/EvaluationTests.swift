import DockerEngine
import Foundation
import Sandbox
import Tasks
import Testing
import TestSupport
@testable import Grading

/// A patch made the way a model makes one: change the task's repository in a container of its
/// image, then `git diff` (new files included).
func makePatch(_ task: TaskRow, _ script: String) async throws -> String {
    let client = try await DockerClient.connect()
    let config = SandboxConfig(image: task.image, repoRoot: task.repoRoot, role: .grade, labels: ["forager.test": "1"])
    return try await Sandbox.with(client: client, config: config) { (box: Sandbox) async throws in
        let r = try await client.exec(container: box.containerID, ["bash", "-c", "set -e\ncd \(task.repoRoot)\n\(script)\ngit add -A\ngit diff --cached"])
        #expect(r.exitCode == 0, "\(r.output.stderrText)")
        return r.output.stdoutText
    }
}

func evaluate(_ tasks: [TaskRow], _ predictions: [Prediction], runID: String = "test-\(UUID().uuidString.prefix(8))",
              timeout: Duration = .seconds(300), logs: URL? = nil) async throws -> (RunSummary, URL) {
    let client = try await DockerClient.connect()
    let logs = logs ?? TestScratch.url.appendingPathComponent("forager-eval-\(UUID().uuidString)")
    let run = EvaluationRun(evaluator: InstanceEvaluator(client: client, grade: Grader.grade),
                            options: .init(runID: runID, workers: 2, timeout: timeout, logsDirectory: logs, reportDirectory: logs))
    return (try await run.run(tasks: tasks, predictions: predictions), logs)
}

func report(_ logs: URL, runID: String, model: String, _ id: String) throws -> InstanceReport {
    let file = logs.appendingPathComponent("run_evaluation/\(runID)/\(model)/\(id)/report.json")
    return try #require(try JSONDecoder().decode([String: InstanceReport].self, from: Data(contentsOf: file))[id])
}

@Suite("forager eval", .enabled { await dockerTestsEnabled() }, .serialized)
struct EvaluationTests {
    init() async throws {
        try await TestImages.shared.ensure(["demo-calc", "demo-ledger", "demo-textkit"])
    }

    @Test("--gold resolves every demo instance; a second run with the same run id evaluates nothing")
    func gold() async throws {
        let tasks = try demoTasks()
        let runID = "gold-\(UUID().uuidString.prefix(8))"
        let (summary, logs) = try await evaluate(tasks, PredictionLoader.gold(tasks), runID: runID)
        #expect(summary.resolvedInstances == tasks.count, "unresolved: \(summary.unresolvedIDs), errors: \(summary.errorIDs)")
        #expect(summary.errorInstances == 0)
        for name in ["report.json", "test_output.txt", "patch.diff", "eval.sh", "run_instance.log"] {
            let path = logs.appendingPathComponent("run_evaluation/\(runID)/gold/\(tasks[0].instanceID)/\(name)").path
            #expect(FileManager.default.fileExists(atPath: path), "\(name)")
        }
        let summaryFile = logs.appendingPathComponent("gold.\(runID).json")
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: summaryFile)) as? [String: Any]
        let phaseNames = (written?["phase_seconds"] as? [String: Double]).map { Set($0.keys) }
        #expect(phaseNames == ["container", "apply", "tests", "grade"], "phase_seconds keyed by phase name")
        let (again, _) = try await evaluate(tasks, PredictionLoader.gold(tasks), runID: runID, logs: logs)
        #expect(again.resolvedInstances == tasks.count)
        #expect(again.phaseSeconds.isEmpty, "the rerun evaluated again: \(again.phaseSeconds)")
    }

    @Test("a cancelled evaluation removes its grading container")
    func cancelledEvaluationRemovesItsContainer() async throws {
        var task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        task.testCommand = "sleep 90"
        let client = try await DockerClient.connect()
        let runID = "cancel-\(UUID().uuidString.prefix(8))"
        let label = "\(SandboxConfig.Label.run)=\(runID)"
        let directory = TestScratch.url.appendingPathComponent("forager-cancel-\(runID)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let evaluator = InstanceEvaluator(client: client, grade: Grader.grade)
        let evaluation = Task { await evaluator.evaluateTree(task: task, runID: runID, directory: directory, timeout: .seconds(120)) }
        let deadline = ContinuousClock.now + .seconds(60)
        while try await client.listContainers(labels: [label]).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(try await !client.listContainers(labels: [label]).isEmpty, "the grading container started")
        try await Task.sleep(for: .seconds(3))  // into the setup or the tests
        let cancelled = ContinuousClock.now
        evaluation.cancel()
        let result = await evaluation.value
        #expect(ContinuousClock.now - cancelled < .seconds(60), "cancellation ends the evaluation before the tests would")
        #expect(result.outcome != .resolved)
        #expect(try await client.listContainers(labels: [label]).isEmpty, "no container of the run is left")
    }

    @Test("--empty resolves nothing and counts every instance as an empty patch")
    func empty() async throws {
        let tasks = try demoTasks()
        let (summary, _) = try await evaluate(tasks, PredictionLoader.empty(tasks))
        #expect(summary.resolvedInstances == 0)
        #expect(summary.emptyPatchInstances == tasks.count)
        #expect(summary.completedInstances == 0)
    }

    @Test("a wrong patch is unresolved, with the right FAIL_TO_PASS and PASS_TO_PASS lists in report.json")
    func wrongPatch() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        let patch = try await makePatch(task, "sed -i '1i # an unrelated change' calc/parser.py")
        let runID = "wrong-\(UUID().uuidString.prefix(8))"
        let (summary, logs) = try await evaluate([task], [Prediction(instanceID: task.instanceID, modelNameOrPath: "m", modelPatch: patch)], runID: runID)
        #expect(summary.unresolvedIDs == [task.instanceID])
        let r = try report(logs, runID: runID, model: "m", task.instanceID)
        #expect(r.patchSuccessfullyApplied)
        #expect(!r.resolved)
        #expect(r.testsStatus?.failToPass.failure.sorted() == task.failToPass.sorted())
        #expect(r.testsStatus?.failToPass.success == [])
        #expect(r.testsStatus?.passToPass.success.sorted() == task.passToPass.sorted())
        #expect(r.testsStatus?.passToPass.failure == [])
    }

    @Test("a patch that applies only with fuzz is graded (and here resolves)")
    func fuzzyPatch() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        // The gold change, made on a tree whose nearby context line differs from the base.
        let patch = try await makePatch(task, """
            sed -i 's/^    def parse_atom(self):$/    def parse_atom(self):  # atoms/' calc/parser.py
            git -c user.name=t -c user.email=t@t commit -qam drift
            python3 - <<'PY'
            p = 'calc/parser.py'
            s = open(p).read()
            old = '''        while True:
                        op = self.accept("**")
                        if not op:
                            return base
                        base = Binary("**", base, self.parse_atom(), op.position)
            '''
            new = '''        op = self.accept("**")
                    if op:
                        return Binary("**", base, self.parse_unary(), op.position)
                    return base
            '''
            assert old in s
            open(p, 'w').write(s.replace(old, new))
            PY
            """)
        #expect(patch.contains("# atoms"))
        let runID = "fuzz-\(UUID().uuidString.prefix(8))"
        let (summary, logs) = try await evaluate([task], [Prediction(instanceID: task.instanceID, modelNameOrPath: "m", modelPatch: patch)], runID: runID)
        #expect(summary.resolvedIDs == [task.instanceID], "\(summary.unresolvedIDs)")
        let log = try String(contentsOf: logs.appendingPathComponent("run_evaluation/\(runID)/m/\(task.instanceID)/run_instance.log"), encoding: .utf8)
        #expect(log.contains("patch --batch --fuzz=5"))
    }

    @Test("a patch that breaks an import is unresolved, not an error")
    func brokenImport() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        let patch = try await makePatch(task, "sed -i '1i import nonexistent_module_xyz' calc/__init__.py")
        let runID = "import-\(UUID().uuidString.prefix(8))"
        let (summary, logs) = try await evaluate([task], [Prediction(instanceID: task.instanceID, modelNameOrPath: "m", modelPatch: patch)], runID: runID)
        #expect(summary.unresolvedIDs == [task.instanceID])
        #expect(summary.errorInstances == 0)
        let r = try report(logs, runID: runID, model: "m", task.instanceID)
        #expect(r.infraFailure != true)
        #expect(!r.resolved)
    }

    @Test("a test run that hangs ends as a timeout")
    func hang() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        let patch = try await makePatch(task, "sed -i 's/^    def parse_power(self):$/    def parse_power(self):\\n        while True: pass/' calc/parser.py")
        #expect(patch.contains("while True: pass"))
        let started = ContinuousClock.now
        let (summary, _) = try await evaluate([task], [Prediction(instanceID: task.instanceID, modelNameOrPath: "m", modelPatch: patch)], timeout: .seconds(8))
        #expect(summary.unresolvedIDs == [task.instanceID])
        #expect(summary.timedOutIDs == [task.instanceID])
        #expect(ContinuousClock.now - started < .seconds(180))
    }

    @Test("a patch that prints fake PASSED lines for the hidden tests is not resolved")
    func fakePassedLines() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        let names = task.failToPass.map { "\"\($0)\"" }.joined(separator: ", ")
        let patch = try await makePatch(task, """
            cat > conftest.py <<'PY'
            def pytest_terminal_summary(terminalreporter):
                for name in [\(names)]:
                    terminalreporter.write_line("PASSED " + name)
            PY
            """)
        let runID = "fake-\(UUID().uuidString.prefix(8))"
        let (summary, logs) = try await evaluate([task], [Prediction(instanceID: task.instanceID, modelNameOrPath: "m", modelPatch: patch)], runID: runID)
        #expect(summary.resolvedInstances == 0)
        let output = try String(contentsOf: logs.appendingPathComponent("run_evaluation/\(runID)/m/\(task.instanceID)/test_output.txt"), encoding: .utf8)
        #expect(output.contains("PASSED \(task.failToPass[0])"), "the fake lines were printed")
    }

    @Test("a missing image is an infrastructure failure, not a model failure")
    func missingImage() async throws {
        var task = try #require(try demoTasks().first)
        task.image = "forager/no-such-image:1"
        let (summary, _) = try await evaluate([task], PredictionLoader.gold([task]))
        #expect(summary.infraFailureIDs == [task.instanceID])
        #expect(summary.unresolvedInstances == 0)
        #expect(summary.errorInstances == 1)
    }
}
