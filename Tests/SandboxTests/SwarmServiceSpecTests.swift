import DockerEngine
import Foundation
import Testing
@testable import Sandbox

/// The service a sandbox becomes on a swarm (`--cluster swarm`), as the Engine API receives it.
@Suite("Swarm service of a sandbox")
struct SwarmServiceSpecTests {
    func encoded(_ config: SandboxConfig, avoiding: [String] = []) throws -> [String: Any] {
        let spec = SwarmCluster.serviceSpec(config, image: "127.0.0.1:5000/forager/demo@sha256:abc", avoiding: avoiding)
        return try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as? [String: Any])
    }

    @Test("limits are reserved too, one task never restarted, no network asked for, Forager's labels on service and container")
    func agentSandbox() throws {
        let config = SandboxConfig(image: "forager/demo:latest", runID: "r1", episodeID: "r1/x/0", memoryBytes: 1 << 30, cpus: 0.5, pidsLimit: 512)
        let json = try encoded(config)
        let template = try #require(json["TaskTemplate"] as? [String: Any])
        let resources = try #require(template["Resources"] as? [String: Any])
        let limits = try #require(resources["Limits"] as? [String: Any])
        let reservations = try #require(resources["Reservations"] as? [String: Any])
        #expect(limits["NanoCPUs"] as? Int == 500_000_000 && limits["MemoryBytes"] as? Int == 1 << 30 && limits["Pids"] as? Int == 512)
        #expect(reservations["NanoCPUs"] as? Int == 500_000_000 && reservations["MemoryBytes"] as? Int == 1 << 30)
        #expect((template["RestartPolicy"] as? [String: String])?["Condition"] == "none")
        #expect(template["Networks"] == nil, "swarm has no none network: a task asking for it fails")
        #expect(((json["Mode"] as? [String: Any])?["Replicated"] as? [String: Int])?["Replicas"] == 1)
        let container = try #require(template["ContainerSpec"] as? [String: Any])
        #expect(container["Image"] as? String == "127.0.0.1:5000/forager/demo@sha256:abc")
        #expect((container["Command"] as? [String])?.first == "sleep")
        #expect(container["Init"] as? Bool == true)
        #expect((container["CapabilityDrop"] as? [String])?.contains("SYS_ADMIN") == true)
        for labels in [json["Labels"], container["Labels"]] {
            let l = try #require(labels as? [String: String])
            #expect(l[SandboxConfig.Label.run] == "r1" && l[SandboxConfig.Label.episode] == "r1/x/0" && l[SandboxConfig.Label.owner] != nil)
        }
        #expect(template["Placement"] == nil)
    }

    @Test("a node that failed is kept out by a constraint; network on and no caps (SWE-bench grading) reserve nothing")
    func avoidedNodeAndUncapped() throws {
        var config = SandboxConfig(image: "i", network: true)
        config.resourceCaps = false
        let json = try encoded(config, avoiding: ["node-a", "node-b"])
        let template = try #require(json["TaskTemplate"] as? [String: Any])
        #expect((template["Placement"] as? [String: [String]])?["Constraints"] == ["node.id!=node-a", "node.id!=node-b"])
        #expect(template["Networks"] == nil)
        let resources = template["Resources"] as? [String: Any] ?? [:]
        #expect(resources["Limits"] == nil && resources["Reservations"] == nil)
    }
}
