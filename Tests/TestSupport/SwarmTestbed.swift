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

    /// Builds a testbed of `nodes` engines (seconds for three).
    public static func up(nodes: Int = 3) async throws -> SwarmTestbed {
        let out = TestScratch.path + "/swarm-testbed-up-\(UUID().uuidString.prefix(8)).out"
        let log = out + ".log"
        defer { for file in [out, log] { try? FileManager.default.removeItem(atPath: file) } }
        let status = await SpawnedScript.run(["bash", script, "up", "--nodes", "\(nodes)"], stdout: out, stderr: log, timeout: 300)
        let printed = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0, let directory = printed.split(separator: "\n").last.map(String.init), !directory.isEmpty else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw TestFailure(description: "Scripts/swarm-testbed up failed (exit \(status.map(String.init) ?? "timeout")):\n\(text.suffix(3000))")
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

    /// Stops node `index`'s engine (1-based) as a service manager would, and waits for it. Runs
    /// on the calling thread (for `watchOffPool` actions).
    public func stopNode(_ index: Int, kill: Bool = false) {
        _ = SpawnedScript.runBlocking(["bash", Self.script, "stop-node", directory, "\(index)"] + (kill ? ["--kill"] : []),
                                      stdout: "/dev/null", stderr: directory + "/stop-node.log", timeout: 120)
    }

    public func startNode(_ index: Int) async throws {
        let status = await SpawnedScript.run(["bash", Self.script, "start-node", directory, "\(index)"],
                                             stdout: "/dev/null", stderr: directory + "/start-node.log", timeout: 120)
        guard status == 0 else {
            let text = (try? String(contentsOfFile: directory + "/start-node.log", encoding: .utf8)) ?? ""
            throw TestFailure(description: "swarm-testbed start-node \(index) failed: \(text.suffix(2000))")
        }
    }

    /// Removes everything the testbed made (engines, namespaces, bridge, registry, files).
    public func down() async {
        _ = await SpawnedScript.run(["bash", Self.script, "down", directory], stdout: "/dev/null", stderr: "/dev/null", timeout: 180)
    }
}
