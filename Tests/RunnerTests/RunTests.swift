import DockerEngine
import Foundation
import GRDB
import Testing
import TestSupport
import Trajectories

struct RunJSON: Decodable {
    let run_id: String, episodes: Int, submitted: Int, resolved: Int, errors: Int, db: String, episode_ids: [String]
    let turns: Int?, tool_calls: Int?
}

@Suite("forager run", .enabled { await dockerTestsEnabled() }, .serialized)
struct RunTests {
    let db = TestScratch.url.appendingPathComponent("forager-run-\(UUID().uuidString).sqlite").path

    @Test("--warm: episodes take warm sandboxes (scrubbed ahead), resolve as cold ones do, and the pool leaves nothing behind")
    func warmPoolRun() async throws {
        try await ensureDemoImages()
        let runID = "warm-\(UUID().uuidString.prefix(6))"
        let ids = ["demo__calc-1", "demo__calc-2", "demo__calc-4", "demo__calc-5"]
        let result = try forager(["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", "Tasks/demo/scripted-agent.jsonl", "--model", "tiny",
                                  "--instance-ids"] + ids + ["--workers", "1", "--warm", "2", "--db", db, "--run-id", runID, "--json"])
        #expect(result.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(result.output.utf8))
        #expect(report.episodes == 4 && report.resolved == 4 && report.errors == 0)
        let store = try await TrajectoryStore.open(at: db)
        // The first command saw a scrubbed repository: only the current branch, no tags or remotes.
        let first = try await store.episode("\(runID)/demo__calc-2/0")
        #expect(first.steps.first?.observationText?.contains("tests") == true)
        let client = try await DockerClient.connect()
        #expect(try await client.listContainers(all: true, labels: ["forager.run=\(runID)"]).isEmpty, "warm sandboxes were left running")
    }

    @Test("a scripted agent's episodes are recorded step by step, graded, exported, and a resumed run adds nothing")
    func scriptedRun() async throws {
        try await ensureDemoImages()
        let args = ["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", "Tasks/demo/scripted-agent.jsonl", "--model", "tiny",
                    "--instance-ids", "demo__calc-1", "demo__ledger-2", "--workers", "2", "--db", db, "--run-id", "t1", "--json"]
        let first = try forager(args)
        #expect(first.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(first.output.utf8))
        #expect(report.episodes == 2 && report.submitted == 2 && report.resolved == 2 && report.errors == 0)
        #expect(report.episode_ids.sorted() == ["t1/demo__calc-1/0", "t1/demo__ledger-2/0"])

        let store = try await TrajectoryStore.open(at: db)
        let episode = try await store.episode("t1/demo__calc-1/0")
        #expect(episode.steps.map(\.toolName) == ["bash", "create", "bash", "submit", nil])
        #expect(episode.episode.passed == true)
        #expect(episode.episode.submittedPatch?.hasPrefix("diff --git a/calc/parser.py") == true)

        let preds = try forager(["export", "--run", "t1", "--format", "preds", "--db", db])
        #expect(preds.output.split(separator: "\n").count == 2)
        #expect(preds.output.contains("\"instance_id\": \"demo__ledger-2\"") || preds.output.contains("\"instance_id\":\"demo__ledger-2\""))

        // mini-swe-agent messages carry the message bodies, not the chat format's markers.
        let mini = TestScratch.url.appendingPathComponent("forager-mini-\(UUID().uuidString)").path
        #expect(try forager(["export", "--run", "t1", "--format", "mini", "--out", mini, "--db", db]).status == 0)
        let traj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: mini + "/demo__calc-1/demo__calc-1.traj.json"))) as? [String: Any]
        let messages = traj?["messages"] as? [[String: Any]] ?? []
        let toolContents = messages.filter { $0["role"] as? String == "tool" }.compactMap { $0["content"] as? String }
        #expect(toolContents.count == 4)
        #expect(toolContents.allSatisfy { $0.hasPrefix("<output>\n") && $0.contains("<budget>") && !$0.contains("<|im_") })

        let again = try forager(args + ["--resume"])
        let resumed = try JSONDecoder().decode(RunJSON.self, from: Data(again.output.utf8))
        #expect(resumed.episodes == 2 && resumed.resolved == 2)
        #expect(try await store.episodes(run: "t1").count == 2)
        // Four tool calls and a final answer each.
        #expect(report.turns == 10 && report.tool_calls == 8)

        // Out of turns: the third call is never run (CWM's max-turns rule) yet is a well-formed call.
        let short = try forager(["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", "Tasks/demo/scripted-agent.jsonl", "--model", "tiny",
                                 "--instance-ids", "demo__calc-1", "--max-turns", "3", "--db", db, "--run-id", "t1-short", "--json"])
        let cut = try JSONDecoder().decode(RunJSON.self, from: Data(short.output.utf8))
        #expect(try await store.episode("t1-short/demo__calc-1/0").steps.map(\.toolName) == ["bash", "create", nil])
        #expect(cut.turns == 3 && cut.tool_calls == 3)
    }

    @Test("after kill -9 mid-episode, --resume finishes the run without duplicates and keeps the recorded steps")
    func killAndResume() async throws {
        try await ensureDemoImages()
        // An agent whose second command outlasts the kill.
        let script = TestScratch.url.appendingPathComponent("slow-\(UUID().uuidString).jsonl")
        let turns = ["<tool: bash>\necho first step\n</tool>", "<tool: bash>\nsleep 15; echo second\n</tool>",
                     "<tool: bash>\ngit diff > /tmp/p.patch; echo >> README.md; git diff > /tmp/p.patch\n</tool>",
                     "<tool: submit>\n/tmp/p.patch\n</tool>", "## Done"]
        try ScriptedAgent.write([("demo__calc-1", turns)], to: script)
        let args = ["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", script.path, "--model", "tiny", "--instance-ids", "demo__calc-1",
                    "--db", db, "--run-id", "crash", "--json"]

        let process = try ForagerLauncher.launch(args, output: .discard)
        // Kill the process outright the moment the first step is committed, from a thread of
        // its own: a task polling here could wake only after the 15 s command had ended.
        let database = db
        let killed = await watchOffPool(timeout: 120, until: { recordedSteps(database, episode: "crash/demo__calc-1/0") >= 1 },
                                        then: { process.kill() })
        #expect(killed, "no step was recorded before the kill")
        if !killed { process.kill() }

        let store = try await TrajectoryStore.open(at: db)
        let before = try await store.episode("crash/demo__calc-1/0", allAttempts: true)
        #expect(before.episode.status == .running)
        #expect(before.steps.first?.actionText.contains("echo first step") == true)

        // The killed run's sandbox, removed by its label: `forager gc` here would also collect
        // the sandbox the garbage-collection test keeps alive for its own dead owner.
        let client = try await DockerClient.connect()
        for container in try await client.listContainers(labels: ["forager.run=crash"]) {
            try? await client.removeContainer(container.id)
        }
        let resumed = try forager(args + ["--resume"])
        #expect(resumed.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(resumed.output.utf8))
        #expect(report.episodes == 1)
        #expect(report.submitted == 1)
        let after = try await store.episode("crash/demo__calc-1/0", allAttempts: true)
        #expect(after.episode.status == .finished)
        #expect(after.episode.attempt == 2)
        #expect(after.steps.filter { $0.actionText.contains("echo first step") }.count == 2, "the first attempt's steps are kept")
        #expect(try await store.episodes(run: "crash").count == 1)
    }
}

/// The steps recorded for `episode` in the store at `path`, read on the calling thread (0 while
/// the file or its tables do not exist yet).
func recordedSteps(_ path: String, episode: String) -> Int {
    guard FileManager.default.fileExists(atPath: path) else { return 0 }
    var configuration = Configuration()
    configuration.readonly = true
    configuration.busyMode = .timeout(1)
    guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return 0 }
    return (try? queue.read { db in
        try Int.fetchOne(db, sql: "SELECT count(*) FROM steps WHERE episode_id = ?", arguments: [episode])
    } ?? 0) ?? 0
}
