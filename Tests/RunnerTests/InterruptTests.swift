import DockerEngine
import Foundation
import Testing
import TestSupport
import Trajectories

/// SIGTERM to `forager run` (issue 16, cases 1 and 5): a grade the signal interrupted is no grade,
/// no attempt starts after the signal, and no container of the run is left when the process exits.
@Suite("forager run on SIGTERM", .enabled { await dockerTestsEnabled() }, .serialized)
struct InterruptTests {
    let db = TestScratch.url.appendingPathComponent("forager-term-\(UUID().uuidString).sqlite").path

    @Test("SIGTERM while an episode is graded: no grade is stored, nothing is left running, --resume grades it")
    func termDuringGrading() async throws {
        try await ensureDemoImages()
        let runID = "term-\(UUID().uuidString.prefix(8))"
        let client = try await DockerClient.connect()
        defer { removeContainers(client, runID: runID) }
        // Tests that take 15 s longer, so the signal surely lands while they run.
        let dir = TestScratch.url
        let tasks = try demoRow("demo__calc-1", replacing: [
            "test_cmd": "sleep 15; pytest -rA -p no:cacheprovider tests/test_evaluator.py tests/test_parser.py"], in: dir)
        defer { try? FileManager.default.removeItem(atPath: tasks) }
        let args = ["run", "--tasks", tasks, "--scripted", "Tasks/demo/scripted-agent.jsonl",
                    "--db", db, "--run-id", runID, "--json"]
        let stderrPath = db + ".err"
        let run = try LaunchedForager(args, environment: [:], stderrPath: stderrPath)
        // Wait for a grading container, then signal while its tests run: both from a thread of
        // its own, so a starved cooperative pool cannot delay the signal past the tests' end.
        let child = run.child
        let grading = await watchOffPool(every: 0.1, timeout: 90, until: {
            !((try? ChildProcess.run(["docker", "ps", "-q", "--filter", "label=forager.run=\(runID)",
                                               "--filter", "label=forager.role=grade"]))?.output ?? "").isEmpty
        }, then: {
            Thread.sleep(forTimeInterval: 2)
            child.send(SIGTERM)
        })
        try #require(grading, "no grading container appeared; stderr:\n\(run.stderr())")
        let first = try await run.finish(within: .seconds(60))
        #expect(first.status == 128 + SIGTERM, "stderr:\n\(run.stderr())")
        let left = try await client.listContainers(all: true, labels: ["forager.run=\(runID)"])
        #expect(left.isEmpty, "containers left after exit: \(left.map(\.id))")

        let store = try await TrajectoryStore.open(at: db)
        for episode in try await store.episodes(run: runID) where episode.status == .finished {
            // A grade stored after the signal would be a failed grade of a removed container.
            #expect(episode.passed == true, "\(episode.id) graded \(episode.passed.map(String.init) ?? "nil"): \(episode.gradingJSON ?? "")")
        }
        #expect(try await store.episodes(run: runID).contains { $0.status != .finished }, "the signal interrupted nothing")

        let resumed = try forager(args + ["--resume"])
        #expect(resumed.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(resumed.output.utf8))
        #expect(report.episodes == 1 && report.resolved == 1 && report.errors == 0)
        for suffix in ["", "-wal", "-shm", ".err"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    }
}

/// Removes every container of `runID` (a test that fails early leaves none behind). Runs the
/// docker CLI and waits for it, never a task: a `defer` that waited on a task could block the
/// cooperative pool's threads (two on two cores) and with them the task it waits for.
func removeContainers(_ client: DockerClient, runID: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "ids=$(docker ps -aq --filter label=forager.run=\"$1\"); [ -z \"$ids\" ] || docker rm -f -v $ids", "sh", runID]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return }
    process.waitUntilExit()
}
