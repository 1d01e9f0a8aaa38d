import DockerEngine
import Foundation
import Sandbox
import Tasks
import Testing
import TestSupport
@testable import Grading

@Suite("forager eval in the SWE-bench grading modes", .enabled { await dockerTestsEnabled() }, .serialized)
struct SWEBenchModeEvaluationTests {
    init() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
    }

    func evaluate(_ task: TaskRow, _ prediction: Prediction, mode: GradingMode, runID: String, logs: URL) async throws -> RunSummary {
        var evaluator = InstanceEvaluator(client: try await DockerClient.connect(), grade: Grader.grade)
        evaluator.grading = mode
        let run = EvaluationRun(evaluator: evaluator, options: .init(runID: runID, workers: 1, timeout: .seconds(300),
                                                                     logsDirectory: logs, reportDirectory: logs))
        return try await run.run(tasks: [task], predictions: [prediction])
    }

    @Test("gold resolves under v4 and v5, applied with the release's first command")
    func gold() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        for mode in [GradingMode.sweBenchV4, .sweBenchV5] {
            let logs = TestScratch.url.appendingPathComponent("forager-swe-\(UUID().uuidString)")
            let summary = try await evaluate(task, PredictionLoader.gold([task])[0], mode: mode, runID: "gold", logs: logs)
            #expect(summary.resolvedIDs == [task.instanceID], "\(mode): unresolved \(summary.unresolvedIDs), errors \(summary.errorIDs)")
        }
    }

    @Test("a patch that does not apply is an error with no report.json, evaluated again when the run id is reused")
    func applyFailure() async throws {
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        let bad = "diff --git a/calc/missing.py b/calc/missing.py\n--- a/calc/missing.py\n+++ b/calc/missing.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
        let prediction = Prediction(instanceID: task.instanceID, modelNameOrPath: "m", modelPatch: bad)
        let logs = TestScratch.url.appendingPathComponent("forager-swe-\(UUID().uuidString)")
        let summary = try await evaluate(task, prediction, mode: .sweBenchV5, runID: "bad", logs: logs)
        #expect(summary.errorIDs == [task.instanceID])
        #expect(summary.completedInstances == 0)
        let dir = logs.appendingPathComponent("run_evaluation/bad/m/\(task.instanceID)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.json").path))
        let log = try String(contentsOf: dir.appendingPathComponent("run_instance.log"), encoding: .utf8)
        #expect(log.contains(EvalMarkers.applyFailed))
        #expect(summary.failureReasons[task.instanceID]?.contains(EvalMarkers.applyFailed) == true)
        let summaryText = try String(contentsOf: logs.appendingPathComponent("m.bad.json"), encoding: .utf8)
        for key in ["failure_reasons", "unstopped_instances", "unstopped_containers", "unremoved_images", "error_ids"] {
            #expect(summaryText.contains("\"\(key)\""), "\(key)")
        }
        #expect(FileManager.default.fileExists(atPath: logs.appendingPathComponent("run_evaluation/bad/run.json").path))
        let again = try await evaluate(task, prediction, mode: .sweBenchV5, runID: "bad", logs: logs)
        #expect(!again.phaseSeconds.isEmpty, "the rerun did not evaluate again")
        #expect(again.errorIDs == [task.instanceID])
    }
}

@Suite("base_commit on official-layout images", .enabled { await dockerTestsEnabled() })
struct OfficialBaseCommitTests {
    @Test("a HEAD that descends from base_commit (the image's own commit on top) is kept for a classic row, checked out otherwise")
    func descendantKept() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
        let task = try #require(try demoTasks().first { $0.instanceID == "demo__calc-1" })
        let client = try await DockerClient.connect()
        let config = SandboxConfig(image: task.image, repoRoot: task.repoRoot, role: .grade, labels: ["forager.test": "1"])
        try await Sandbox.with(client: client, config: config) { (box: Sandbox) async throws in
            func git(_ args: String) async throws -> String {
                let run = try await client.exec(container: box.containerID, ["bash", "-c", "cd \(task.repoRoot) && git " + args])
                return run.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let base = try await git("rev-parse HEAD")
            _ = try await git("-c user.name=t -c user.email=t@t commit -q --allow-empty -m SWE-bench && git rev-parse HEAD")
            let top = try await git("rev-parse HEAD")
            #expect(top != base)
            var row = task
            row.baseCommit = base
            #expect(try await BaseCommit.checkout(task: row, client: client, containerID: box.containerID, keepDescendant: true) == false)
            #expect(try await git("rev-parse HEAD") == top)
            #expect(try await BaseCommit.checkout(task: row, client: client, containerID: box.containerID) == true)
            #expect(try await git("rev-parse HEAD") == base)
        }
    }
}
