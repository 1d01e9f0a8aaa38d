import DockerEngine
import Foundation
import Tasks
import Testing
import TestSupport
import Trajectories

/// `forager forage` as a user runs it: synthesis only, then the same tasks with a scripted agent
/// that submits each gold fix, whose episodes are stored with source `forage:calc`.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct ForageCommandTests {
    struct Summary: Decodable {
        let candidates: Int, validated: Int, tasks_file: String, episodes: Int, resolved: Int, run_id: String
        let families: [String]
        let operators: [Operator]
        struct Operator: Decodable { let `operator`: String, applied: Int, kept: Int, solved: Int }
    }

    @Test(.timeLimit(.minutes(20)))
    func synthesizeThenRunAScriptedAgentOnTheTasks() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = packageRoot.appendingPathComponent("Tasks/repos/calc.json").path
        let common = ["forage", "--repo", spec, "--mutations", "3", "--seed", "3", "--logs-dir", dir.path, "--json"]

        let (status, output) = try forager(common + ["--out", "tasks.jsonl", "--run-id", "synth"], in: dir)
        #expect(status == 0)
        let synth = try JSONDecoder().decode(Summary.self, from: Data(output.utf8))
        #expect(synth.validated >= 1 && synth.episodes == 0 && synth.tasks_file == "tasks.jsonl")
        let keys = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]).keys
        #expect(Set(keys) == ["repo", "image", "run_id", "mode", "base_commit", "candidates", "mutations_found", "mutations_validated",
                              "validated", "families", "tasks_file", "seconds", "seconds_per_validated", "episodes", "resolved",
                              "operators"])
        let rows = try TaskLoader.load(dir.appendingPathComponent("tasks.jsonl").path)
        #expect(rows.count == synth.validated)

        // A scripted agent that checks the tree is clean (the bug is in HEAD) and submits the gold fix.
        let scripts = rows.map { row in
            (row.instanceID, [
                "Let me look.\n<tool: bash>\ngit status --short; echo STATUS-END\n</tool>",
                "<tool: create>\n/tmp/fix.patch\n\(row.patch)\n</tool>",
                "<tool: bash>\ngit apply /tmp/fix.patch && git diff > /tmp/submission.patch\n</tool>",
                "<tool: submit>\n/tmp/submission.patch\n</tool>",
                "Fixed.",
            ])
        }
        try ScriptedAgent.write(scripts, to: dir.appendingPathComponent("agent.jsonl"))

        let db = dir.appendingPathComponent("forage.sqlite").path
        let (runStatus, runOutput) = try forager(common + ["--out", "tasks2.jsonl", "--run-id", "episodes", "--samples", "1",
                                                           "--scripted", "agent.jsonl", "--model", "tiny", "--db", db], in: dir)
        #expect(runStatus == 0)
        let run = try JSONDecoder().decode(Summary.self, from: Data(runOutput.utf8))
        // The same seed synthesizes the same tasks; every episode resolves.
        #expect(try TaskLoader.load(dir.appendingPathComponent("tasks2.jsonl").path).map(\.instanceID) == rows.map(\.instanceID))
        #expect(run.episodes == rows.count && run.resolved == rows.count)
        #expect(run.operators.map(\.solved).reduce(0, +) == rows.count)
        #expect(runOutput.contains("\"db\" : \"\(db)\""))

        let store = try await TrajectoryStore.open(at: db)
        let episodes = try await store.episodes(run: "episodes")
        #expect(episodes.count == rows.count)
        for e in episodes {
            #expect(e.source == "forage:calc")
            let steps = try await store.episode(e.id).steps
            #expect(steps.first?.observationBody?.contains("\nSTATUS-END") == true)
            // Nothing but the marker: the working tree is clean, the bug is part of HEAD.
            #expect(steps.first?.observationBody?.contains(" M ") == false)
        }
    }

    /// Ctrl-C while mutations are validated: the rows kept so far are in the tasks file (appended
    /// as they are kept, each a whole line), and no container of the run is left.
    @Test(.timeLimit(.minutes(10)))
    func aSignalKeepsTheRowsAlreadyKeptAndLeavesNoContainer() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = packageRoot.appendingPathComponent("Tasks/repos/calc.json").path
        let tasks = dir.appendingPathComponent("tasks.jsonl").path
        let runID = "forage-int-\(UUID().uuidString.prefix(8))"
        let run = try LaunchedForager(["forage", "--repo", spec, "--mutations", "20", "--workers", "1", "--seed", "3",
                                       "--logs-dir", dir.path, "--out", tasks, "--run-id", runID],
                                      environment: [:], stderrPath: dir.appendingPathComponent("stderr").path)
        let child = run.child
        let kept = await watchOffPool(every: 0.2, timeout: 400, until: {
            ((try? String(contentsOfFile: tasks, encoding: .utf8)) ?? "").hasSuffix("\n")
        }, then: { child.send(SIGINT) })
        try #require(kept, "no row was written; stderr:\n\(run.stderr())")
        let finished = try await run.finish(within: .seconds(120))
        #expect(finished.status == 128 + SIGINT, "stderr:\n\(run.stderr())")
        #expect(!finished.output.contains("validated tasks"), "the run finished before the signal")
        let rows = try TaskLoader.load(tasks)
        #expect(!rows.isEmpty)
        for row in rows { #expect(!row.failToPass.isEmpty && !row.bugPatch.isEmpty) }
        let client = try await DockerClient.connect()
        let left = try await client.listContainers(all: true, labels: ["forager.run=\(runID)"])
        #expect(left.isEmpty, "containers left after exit: \(left.map(\.id))")
    }
}
