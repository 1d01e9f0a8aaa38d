import Foundation
import Testing
import TestSupport
import Trajectories

/// `forager run --endpoint` against `forager serve` on 127.0.0.1, both real processes.
@Suite("forager run --endpoint", .enabled { await dockerTestsEnabled() }, .serialized)
struct EndpointRunTests {
    @Test("episodes run through a real local server with an API key that reaches the server but never the database")
    func runThroughServe() async throws {
        try await ensureDemoImages()
        let key = "sk-forager-\(UUID().uuidString)"
        let port = try FreePort.next()
        let serve = try ForagerLauncher.launch(["serve", "--model", "tiny", "--port", "\(port)", "--api-key", key, "--context-length", "8192"],
                                               output: .discard)
        defer { serve.kill() }
        if !(try await FreePort.waitForListener(port)) { Issue.record("nothing listens on 127.0.0.1:\(port) after 60 s") }

        let db = TestScratch.url.appendingPathComponent("forager-endpoint-\(UUID().uuidString).sqlite").path
        let args = ["run", "--tasks", "Tasks/demo/tasks.jsonl", "--instance-ids", "demo__calc-1",
                    "--endpoint", "http://127.0.0.1:\(port)", "--model-name", "smollm2",
                    "--max-turns", "3", "--max-action-tokens", "24", "--context-size", "8192",
                    "--db", db, "--run-id", "ep", "--json"]

        // Without the key the server refuses every request: the episode is an infrastructure error.
        let refused = try forager(args + ["--endpoint-retries", "0"], environment: ["FORAGER_API_KEY": "", "OPENAI_API_KEY": ""])
        #expect(refused.status == 0)
        let refusedReport = try JSONDecoder().decode(RunJSON.self, from: Data(refused.output.utf8))
        #expect(refusedReport.errors == 1)
        let store = try await TrajectoryStore.open(at: db)
        let failed = try await store.episode("ep/demo__calc-1/0")
        #expect(failed.episode.status == .infraError)
        #expect(failed.episode.terminalMessage?.contains("401") == true)

        // With the key the loop runs its turns through the server.
        let ok = try forager(Array(args.dropLast(3)) + ["--run-id", "ep2", "--json"], environment: ["FORAGER_API_KEY": key])
        #expect(ok.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(ok.output.utf8))
        #expect(report.episodes == 1 && report.errors == 0)
        let episode = try await store.episode("ep2/demo__calc-1/0")
        #expect(episode.episode.status == .finished)
        #expect(episode.steps.count == 3)
        #expect(episode.steps.allSatisfy { ($0.actionTokens ?? 0) > 0 && ($0.promptTokens ?? 0) > 0 })
        let run = try #require(try await store.runs().first { $0.id == "ep2" })
        #expect(run.backendKind == "endpoint" && run.modelName == "smollm2")
        #expect(run.configJSON.contains("estimated"))

        // The key is nowhere in the database files.
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: db + suffix) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: db + suffix))
            #expect(bytes.range(of: Data(key.utf8)) == nil, "the API key is in \(db + suffix)")
        }
    }

    @Test("two forager serve processes as a fleet: both serve turns, one is killed mid-run, every episode finishes on the other")
    func fleetSurvivesAKilledServer() async throws {
        try await ensureDemoImages()
        let ports = [try FreePort.next(), try FreePort.next()]
        let servers = try ports.map { port in
            try ForagerLauncher.launch(["serve", "--model", "tiny", "--port", "\(port)", "--context-length", "8192"], output: .discard)
        }
        defer { servers.forEach { $0.kill() } }
        for port in ports where !(try await FreePort.waitForListener(port)) { Issue.record("nothing listens on 127.0.0.1:\(port) after 60 s") }
        let urls = ports.map { "http://127.0.0.1:\($0)" }

        let db = TestScratch.url.appendingPathComponent("forager-fleet-\(UUID().uuidString).sqlite").path
        let run = try ForagerLauncher.launch(["run", "--tasks", "Tasks/demo/tasks.jsonl", "--instance-ids", "demo__calc-1", "demo__calc-2",
                                              "--endpoint", urls[0], "--endpoint", urls[1], "--model-name", "smollm2", "--model", "tiny",
                                              "--endpoint-cooldown", "600", "--workers", "2", "--max-turns", "3", "--max-action-tokens", "12",
                                              "--context-size", "8192", "--db", db, "--run-id", "fleet", "--json"])
        // Once the first server has served a turn, it is killed.
        var killedAfter: Int?
        for _ in 0..<600 where killedAfter == nil {
            try await Task.sleep(for: .milliseconds(250))
            guard FileManager.default.fileExists(atPath: db), let store = try? await TrajectoryStore.openForReading(at: db) else { continue }
            let steps = (try? await store.episodeSummaries(EpisodeQuery(runID: "fleet", limit: 10))) ?? []
            var servedByFirst = 0, total = 0
            for e in steps {
                let detail = try await store.episode(e.id)
                total += detail.steps.count
                servedByFirst += detail.steps.filter { $0.servedBy == urls[0] }.count
            }
            if servedByFirst > 0 { servers[0].kill(); killedAfter = total }
        }
        let result = await run.finish(timeout: .seconds(900))
        #expect(result.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(result.output.utf8))
        #expect(report.episodes == 2 && report.errors == 0, "an episode failed although one endpoint stayed up")
        let killed = try #require(killedAfter, "the first server never served a turn")

        let store = try await TrajectoryStore.open(at: db)
        var all: [Step] = []
        for id in report.episode_ids {
            let detail = try await store.episode(id)
            #expect(detail.episode.status == .finished)
            #expect(detail.steps.count == 3)
            all += detail.steps
        }
        #expect(all.allSatisfy { $0.servedBy == urls[0] || $0.servedBy == urls[1] })
        #expect(all.contains { $0.servedBy == urls[0] } && all.contains { $0.servedBy == urls[1] })
        // After the kill, turns go to the second server only (steps recorded later than the kill's count).
        let later = all.sorted { $0.createdAt < $1.createdAt }.dropFirst(killed + 1)
        #expect(later.allSatisfy { $0.servedBy == urls[1] })
        let config = try #require(try await store.runs().first { $0.id == "fleet" }).configJSON
        #expect(config.contains("fewest outstanding"))
    }
}
