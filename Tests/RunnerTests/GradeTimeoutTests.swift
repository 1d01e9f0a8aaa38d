import DockerEngine
import Foundation
import Testing
import TestSupport
import Trajectories

/// Issue 16 case 8: `forager run` grades under the row's own `timeout`, as `forager eval` does.
@Suite("forager run grading limits", .enabled { await dockerTestsEnabled() }, .serialized)
struct GradeTimeoutTests {
    @Test("a row whose tests hang is graded for its own timeout (8 s), not the run's default")
    func rowTimeoutApplies() async throws {
        try await ensureDemoImages()
        let dir = TestScratch.url.appendingPathComponent("forager-gradetimeout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let demo = try String(contentsOf: packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl"), encoding: .utf8)
        let line = try #require(demo.split(separator: "\n").first)
        var row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        row["test_cmd"] = "sleep 900"
        row["timeout"] = 8
        let tasks = dir.appendingPathComponent("hang.jsonl")
        try (String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self) + "\n").write(to: tasks, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("t.sqlite").path
        let runID = "gradetimeout-\(UUID().uuidString.prefix(8))"
        let client = try await DockerClient.connect()
        defer { removeContainers(client, runID: runID) }

        let started = ContinuousClock.now
        let run = try LaunchedForager(["run", "--tasks", tasks.path, "--scripted", "Tasks/demo/scripted-agent.jsonl",
                                       "--db", db, "--run-id", runID, "--json"],
                                      environment: [:], stderrPath: dir.appendingPathComponent("err").path)
        let result = try await run.finish(within: .seconds(150))
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 0, "stderr:\n\(run.stderr())")
        let store = try await TrajectoryStore.openForReading(at: db)
        let episode = try await store.episode("\(runID)/demo__calc-1/0").episode
        #expect(episode.passed != true)
        let evalSeconds = try #require(episode.evalDuration, "no grading recorded: \(episode.terminalMessage ?? "")")
        #expect(evalSeconds < 60, "graded for \(evalSeconds) s")
        #expect(elapsed < .seconds(140))
    }
}
