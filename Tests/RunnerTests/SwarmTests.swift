import DockerEngine
import Foundation
import Testing
import TestSupport
import Trajectories

/// Issue 18 §4: a three-node swarm on this machine (three engines in their own network
/// namespaces, a registry beside them). Scripted episodes and evaluations run across the nodes;
/// one node's engine stops in the middle of the run: every episode is still done exactly once,
/// and `forager gc --cluster swarm` leaves nothing behind.
@Suite("forager on a three-node swarm", .enabled { await dockerTestsEnabled() }, .serialized)
struct SwarmTests {
    static let images = ["forager/demo-calc:latest", "forager/demo-ledger:latest"]
    static let instances = ["demo__calc-1", "demo__calc-2", "demo__calc-3", "demo__calc-4", "demo__calc-5",
                            "demo__ledger-1", "demo__ledger-2", "demo__ledger-3", "demo__ledger-4", "demo__ledger-5"]

    @Test("episodes and evaluations spread over three nodes; a node's engine stops mid-run; every episode is done once; gc leaves nothing")
    func threeNodes() async throws {
        try await ensureDemoImages()
        let bed = try await SwarmTestbed.up(nodes: 3)
        do {
            try await scenario(bed)
        } catch {
            Issue.record("\(error)")
        }
        await bed.down()
        #expect(!FileManager.default.fileExists(atPath: bed.directory), "the testbed is gone")
    }

    private func scenario(_ bed: SwarmTestbed) async throws {
        let workDir = TestScratch.url.appendingPathComponent("forager-swarm-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: workDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDir) }
        // Forager builds images on the manager; here they come from the shared engine.
        let tar = workDir.appendingPathComponent("images.tar").path
        try await DockerClient.connect().saveImages(Self.images, to: tar)
        let manager = try await DockerClient.connect(endpoint: DockerEndpoint.parse(bed.manager))
        _ = try await manager.loadImages(from: tar)
        try FileManager.default.removeItem(atPath: tar)

        let db = workDir.appendingPathComponent("swarm.sqlite").path
        let environment = ["DOCKER_HOST": bed.manager]
        let runID = "swarm-\(UUID().uuidString.prefix(6).lowercased())"
        let started = Int(Date().timeIntervalSince1970) - 1
        let args = ["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", "Tasks/demo/scripted-agent.jsonl",
                    "--instance-ids"] + Self.instances + [
                    "--cluster", "swarm", "--registry", bed.registry, "--workers", "4", "--cpus", "0.5", "--memory", "1g",
                    "--db", db, "--run-id", runID, "--json"]
        let run = try LaunchedForager(args, environment: environment, stderrPath: workDir.appendingPathComponent("run.err").path)

        // The moment node 3 runs a sandbox of the run, its engine stops (from a thread of its own).
        let node3 = bed.nodes[2]
        let stopped = await watchOffPool(every: 0.2, timeout: 300, until: {
            !((try? ChildProcess.run(["docker", "-H", node3, "ps", "-q", "--filter", "label=forager.run=\(runID)"]))?.output ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }, then: { bed.stopNode(3) })
        #expect(stopped, "node 3 never ran a sandbox of the run; stderr:\n\(run.stderr())")

        let finished = try await run.finish(within: .seconds(1200))
        #expect(finished.status == 0, "forager run exited \(finished.status); stderr:\n\(run.stderr())")
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(finished.output.utf8))
        #expect(report.episodes == Self.instances.count && report.errors == 0 && report.resolved == Self.instances.count,
                "\(report); stderr:\n\(run.stderr())")

        // Exactly once: one episode per instance, each finished, one final grade.
        let store = try await TrajectoryStore.open(at: db)
        let episodes = try await store.episodes(run: runID)
        #expect(episodes.count == Self.instances.count)
        #expect(episodes.allSatisfy { $0.status == .finished && $0.passed == true }, "\(episodes.map { "\($0.id) \($0.status)" })")
        #expect(episodes.contains { $0.attempt > 1 }, "no episode lost its sandbox when node 3 stopped")

        // Nodes 1 and 2 ran sandboxes too (their engines' events); node 3's are above.
        for node in bed.nodes.prefix(2) {
            let created = ((try? ChildProcess.run(["docker", "-H", node, "events", "--since", "\(started)",
                                                            "--until", "\(Int(Date().timeIntervalSince1970))",
                                                            "--filter", "event=create", "--filter", "label=forager.run=\(runID)",
                                                            "--format", "{{.ID}}"]))?.output ?? "")
            #expect(!created.isEmpty, "no sandbox of the run on \(node)")
        }

        // Evaluations on the nodes that remain.
        let eval = try await ForagerLauncher.launch(["eval", "--tasks", "Tasks/demo/tasks.jsonl", "--gold", "--instance-ids"] + Self.instances + [
                                "--cluster", "swarm", "--registry", bed.registry, "--workers", "4", "--run-id", runID + "-eval",
                                "--logs-dir", workDir.appendingPathComponent("logs").path,
                                "--report-dir", workDir.path, "--json"], environment: environment).finish(timeout: .seconds(900))
        #expect(eval.status == 0, "\(eval.output)")
        let summary = try JSONSerialization.jsonObject(with: Data(eval.output.utf8)) as? [String: Any]
        #expect(summary?["resolved_instances"] as? Int == Self.instances.count, "\(eval.output)")

        // Node 3 comes back; gc clears the swarm: no service, no container of the run anywhere.
        try await bed.startNode(3)
        let managerHost = bed.manager
        let ready = await watchOffPool(every: 0.5, timeout: 120, until: {
            ((try? ChildProcess.run(["docker", "-H", managerHost, "node", "ls", "--format", "{{.Status}}"]))?.output ?? "")
                .split(separator: "\n").filter { $0 == "Ready" }.count == 3
        })
        #expect(ready, "node 3 did not rejoin the swarm")
        let gc = try await ForagerLauncher.launch(["gc", "--cluster", "swarm", "--json"], environment: environment).finish(timeout: .seconds(300))
        #expect(gc.status == 0, "\(gc.output)")
        let services = ((try? ChildProcess.run(["docker", "-H", bed.manager, "service", "ls", "-q",
                                                         "--filter", "label=forager.run"]))?.output ?? "")
        #expect(services.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "services left: \(services)")
        for node in bed.nodes {
            let left = await containersLeft(node, labelled: "forager.run")
            #expect(left.isEmpty, "containers left on \(node): \(left)")
        }
    }

    /// The Forager containers still on `node`, waiting up to a minute for the node to reconcile
    /// (a node that comes back removes the containers of services removed while it was down).
    private func containersLeft(_ node: String, labelled label: String) async -> String {
        let list: @Sendable () -> String = {
            ((try? ChildProcess.run(["docker", "-H", node, "ps", "-aq", "--filter", "label=\(label)"]))?.output ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = await watchOffPool(every: 1, timeout: 60, until: { list().isEmpty })
        return list()
    }
}
