import Foundation
import Testing
import TestSupport
@testable import DockerEngine

@Suite("Containers", .enabled { await dockerTestsEnabled() })
struct ContainerLifecycleTests {
    @Test("create, start, inspect, stop, wait, logs, remove")
    func lifecycle() async throws {
        let client = try await dockerClient()
        let spec = ContainerSpec(image: baseImage, cmd: ["bash", "-c", "echo out-$FOO; echo err-$FOO >&2; pwd; exit 3"],
                                 env: ["FOO=bar"], workingDir: "/srv", labels: ["forager.test": "1", "forager.case": "lifecycle"])
        let id = try await client.createContainer(spec)
        let created = try await client.inspectContainer(id)
        #expect(created.state.status == "created")
        #expect(created.config.labels?["forager.case"] == "lifecycle")

        try await client.startContainer(id)
        let waited = try await client.waitContainer(id, timeout: .seconds(30))
        #expect(waited.statusCode == 3)

        let logs = try await client.containerLogs(id)
        #expect(logs.stdoutText == "out-bar\n/srv\n")
        #expect(logs.stderrText == "err-bar\n")

        let exited = try await client.inspectContainer(id)
        #expect(exited.state.status == "exited")
        #expect(exited.state.exitCode == 3)

        let listed = try await client.listContainers(all: true, labels: ["forager.case=lifecycle"])
        #expect(listed.contains { $0.id == id })

        try await client.removeContainer(id)
        await #expect(throws: DockerError.self) { try await client.inspectContainer(id) }
        let after = try await client.listContainers(all: true, labels: ["forager.case=lifecycle"])
        #expect(!after.contains { $0.id == id })
    }

    @Test("kill gives 137, stop of a stopped container and start of a started one are not errors")
    func killAndIdempotentStates() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            try await client.startContainer(id)  // already running: 304
            try await client.killContainer(id)
            let waited = try await client.waitContainer(id, timeout: .seconds(30))
            #expect(waited.statusCode == 137)
            try await client.stopContainer(id)  // already stopped: 304
        }
    }

    @Test("wait with a timeout on a running container throws .timeout")
    func waitTimeout() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let started = ContinuousClock.now
            let error = await captureError { try await client.waitContainer(id, timeout: .milliseconds(500)) }
            guard case .timeout = error else { Issue.record("expected .timeout, got \(String(describing: error))"); return }
            #expect(ContinuousClock.now - started < .seconds(60), "only a hang should fail this, not a busy machine")
        }
    }
}
