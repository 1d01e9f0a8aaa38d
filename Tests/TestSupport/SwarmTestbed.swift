import Foundation

/// A Docker Swarm of several engines on this machine, each in its own network namespace joined by
/// a bridge, with a registry beside them: `Scripts/swarm-testbed`, which the tests and the swarm
/// benchmark share. Addresses come from the testbed's `testbed.env`.
public final class SwarmTestbed: Sendable {
    public let directory: String
    /// The manager's engine (`tcp://…`), for `DOCKER_HOST`.
    public let manager: String
    /// Every node's engine in node order (node 1 is the manager).
    public let nodes: [String]
    /// The registry the nodes pull from (`HOST:PORT`), for `--registry`.
    public let registry: String

    static var script: String { packageRoot.appendingPathComponent("Scripts/swarm-testbed").path }

    private init(directory: String, facts: [String: String]) throws {
        self.directory = directory
        guard let manager = facts["SWARM_MANAGER"], let nodes = facts["SWARM_NODES"], let registry = facts["SWARM_REGISTRY"] else {
            throw TestFailure(description: "\(directory)/testbed.env lacks SWARM_MANAGER, SWARM_NODES or SWARM_REGISTRY: \(facts)")
        }
        self.manager = manager
        self.nodes = nodes.split(separator: " ").map(String.init)
        self.registry = registry
    }

    /// Builds a testbed of `nodes` engines (about half a minute for three).
    public static func up(nodes: Int = 3) async throws -> SwarmTestbed {
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), [script, "up", "--nodes", "\(nodes)"], output: .capture,
                                     errors: .file(NSTemporaryDirectory() + "swarm-testbed-up.log"))
        let result = await child.finish(timeout: .seconds(300))
        let log = (try? String(contentsOfFile: NSTemporaryDirectory() + "swarm-testbed-up.log", encoding: .utf8)) ?? ""
        guard result.status == 0, !result.timedOut,
              let directory = result.output.split(separator: "\n").last.map(String.init), !directory.isEmpty else {
            throw TestFailure(description: "Scripts/swarm-testbed up failed (exit \(result.status)):\n\(log.suffix(3000))")
        }
        let text = (try? String(contentsOfFile: directory + "/testbed.env", encoding: .utf8)) ?? ""
        var facts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.count >= 2, value.hasPrefix("\"") || value.hasPrefix("'") { value = String(value.dropFirst().dropLast()) }
            facts[String(line[..<eq])] = value
        }
        return try SwarmTestbed(directory: directory, facts: facts)
    }

    /// Stops node `index`'s engine (1-based) as a service manager would, and waits for it.
    public func stopNode(_ index: Int, kill: Bool = false) {
        _ = try? ChildProcess.run(["bash", Self.script, "stop-node", directory, "\(index)"] + (kill ? ["--kill"] : []))
    }

    public func startNode(_ index: Int) async throws {
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/bash"), [Self.script, "start-node", directory, "\(index)"])
        let result = await child.finish(timeout: .seconds(120))
        guard result.status == 0 else { throw TestFailure(description: "swarm-testbed start-node \(index) failed: \(result.output)") }
    }

    /// Removes everything the testbed made (engines, namespaces, bridge, registry, files).
    public func down() async {
        guard let child = try? ChildProcess(URL(fileURLWithPath: "/bin/bash"), [Self.script, "down", directory]) else { return }
        _ = await child.finish(timeout: .seconds(180))
    }
}
