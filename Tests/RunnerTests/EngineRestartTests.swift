import DockerEngine
import Foundation
import Testing
import TestSupport
import Trajectories

@Suite("forager run when the Docker engine restarts", .enabled { await dockerTestsEnabled() }, .serialized)
struct EngineRestartTests {
    let db = TestScratch.url.appendingPathComponent("forager-restart-\(UUID().uuidString).sqlite").path

    @Test("an engine stopped mid-episode makes the episode an infra_error, and --resume on the restarted engine finishes it")
    func engineRestart() async throws {
        try await ensureDemoImages()
        let engine = try IsolatedEngine()
        do {
            try await restartScenario(engine)
        } catch {
            Issue.record("\(error)\nisolated dockerd log:\n\(engine.lastLog())")
        }
        await engine.destroy()
        #expect(!FileManager.default.fileExists(atPath: engine.directory))
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    }

    private func restartScenario(_ engine: IsolatedEngine) async throws {
        let image = "forager/demo-calc:latest"
        let isolated = try await engine.start()
        let tar = engine.directory + "/image.tar"
        try await DockerClient.connect().saveImages([image], to: tar)
        _ = try await isolated.loadImages(from: tar)
        try FileManager.default.removeItem(atPath: tar)
        try #require(try await isolated.inspectImage(image) != nil)

        // An agent whose second command is still running when the engine goes away.
        let script = TestScratch.url.appendingPathComponent("restart-\(UUID().uuidString).jsonl")
        let turns = ["<tool: bash>\necho first step\n</tool>", "<tool: bash>\nsleep 30; echo second\n</tool>",
                     "<tool: bash>\necho >> README.md; git diff > /tmp/p.patch\n</tool>",
                     "<tool: submit>\n/tmp/p.patch\n</tool>", "## Done"]
        try ScriptedAgent.write([("demo__calc-1", turns)], to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let args = ["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", script.path, "--model", "tiny", "--instance-ids", "demo__calc-1",
                    "--db", db, "--run-id", "restart", "--json"]
        let environment = ["DOCKER_HOST": engine.dockerHost]
        let episodeID = "restart/demo__calc-1/0"

        // 1. The engine stops while the second command runs.
        let run = try LaunchedForager(args, environment: environment, stderrPath: engine.directory + "/run.err")
        var recorded = 0
        for _ in 0..<600 where recorded < 1 {
            try await Task.sleep(for: .milliseconds(100))
            if FileManager.default.fileExists(atPath: db), let store = try? await TrajectoryStore.open(at: db),
               let ep = try? await store.episode(episodeID) {
                recorded = ep.steps.count
            }
        }
        try #require(recorded >= 1, "no step was recorded before the engine stop; forager run stderr:\n\(run.stderr())")
        try await Task.sleep(for: .seconds(1))  // the second command is now in flight
        #expect(await engine.stop(), "dockerd did not stop on SIGTERM within 20 s")

        let first = try await run.finish(within: .seconds(90))
        #expect(first.status == 0, "forager run exited \(first.status); stderr:\n\(run.stderr())")
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(first.output.utf8))
        #expect(report.episodes == 1 && report.errors == 1 && report.submitted == 0)

        let store = try await TrajectoryStore.open(at: db)
        let failed = try await store.episode(episodeID, allAttempts: true)
        #expect(failed.episode.status == .infraError)
        let message = failed.episode.terminalMessage ?? ""
        // Gone, or still shutting down: dockerd answers 500s while it tears down its network store,
        // and it stops the sandbox before it stops answering.
        #expect(message.contains("no Docker engine answers at \(engine.dockerHost)") || message.contains("Docker engine error (5")
                || message.contains("stopped while the episode used it"), "terminal message: \(message)")
        #expect(failed.steps.first?.actionText.contains("echo first step") == true)
        #expect(try await store.run("restart").status == .finished)

        // 2. The engine is back: gc clears the sandbox the dead engine kept, --resume runs the episode again.
        let isolatedAgain = try await engine.start()
        #expect(try forager(["gc"], environment: environment).status == 0)
        #expect(try await isolatedAgain.listContainers(all: true, labels: ["forager.run=restart"]).isEmpty)
        let resumed = try forager(args + ["--resume"], environment: environment)
        #expect(resumed.status == 0)
        let again = try JSONDecoder().decode(RunJSON.self, from: Data(resumed.output.utf8))
        #expect(again.episodes == 1 && again.submitted == 1 && again.errors == 0)
        let after = try await store.episode(episodeID, allAttempts: true)
        #expect(after.episode.status == .finished)
        #expect(after.episode.attempt > failed.episode.attempt)
        #expect(after.steps.filter { $0.actionText.contains("echo first step") }.count >= 2, "the first attempt's steps are kept")
        #expect(try await store.episodes(run: "restart").count == 1)
        #expect(try await isolatedAgain.listContainers(all: true, labels: ["forager.run=restart"]).isEmpty)
    }
}
