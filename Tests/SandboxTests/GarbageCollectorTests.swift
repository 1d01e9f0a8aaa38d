import DockerEngine
import Foundation
import Testing
import TestSupport
@testable import Sandbox

/// Starts `forager shell` on the base image (its stdin held open, so it waits) and returns once
/// its sandbox exists: the process, its owner label value and its containers.
func startForagerShell(_ client: DockerClient) async throws -> (ChildProcess, String, [ContainerSummary]) {
    let process = try ForagerLauncher.launch(["shell", "--image", baseImage], input: .pipe, output: .discard)
    let owner = "\(ProcessInfo.processInfo.hostName):\(process.pid)"
    var containers: [ContainerSummary] = []
    for _ in 0..<400 where containers.isEmpty {
        // Running, not just created: a kill between create and start leaves a stopped container.
        containers = try await client.listContainers(labels: ["forager.owner=\(owner)"]).filter { $0.state == "running" }
        if containers.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
    }
    return (process, owner, containers)
}

@Suite("Garbage collection", .enabled { await dockerTestsEnabled() })
struct GarbageCollectorTests {
    @Test("forager gc removes the sandbox of a forager process killed with SIGKILL, and --dry-run only lists it")
    func afterSigkill() async throws {
        let client = try await DockerClient.connect()
        let (shell, owner, containers) = try await startForagerShell(client)
        let id = try #require(containers.first?.id, "forager shell started no container")
        kill(shell.pid, SIGKILL)
        shell.process.waitUntilExit()
        #expect(shell.process.terminationReason == .uncaughtSignal)
        #expect(try await client.inspectContainer(id).state.running, "the killed process could not clean up")

        let dry = try forager(["gc", "--dry-run"]).output
        #expect(dry.contains("owner process \(shell.process.processIdentifier) is gone"))
        #expect(try await client.inspectContainer(id).state.running)

        let removed = try forager(["gc"]).output
        #expect(removed.contains("removed"))
        #expect(try await client.listContainers(labels: ["forager.owner=\(owner)"]).isEmpty)
    }

    @Test("Ctrl-C (SIGINT) to forager removes its sandbox before it exits with 130")
    func interruptCleansUp() async throws {
        let client = try await DockerClient.connect()
        let (shell, owner, containers) = try await startForagerShell(client)
        #expect(!containers.isEmpty, "forager shell started no container")
        kill(shell.pid, SIGINT)
        shell.process.waitUntilExit()
        #expect(shell.process.terminationReason == .exit)
        #expect(shell.process.terminationStatus == 130)
        #expect(try await client.listContainers(labels: ["forager.owner=\(owner)"]).isEmpty)
    }

    @Test("a live run's sandbox is kept, stopped or not; an expired one or one whose owner is gone is garbage")
    func reasons() {
        let me = SandboxConfig.currentOwner
        let future = String(Int64(Date().timeIntervalSince1970) + 3600)
        let past = String(Int64(Date().timeIntervalSince1970) - 1)
        #expect(GarbageCollector.reason(labels: ["forager.owner": me, "forager.deadline": future], now: Date()) == nil)
        #expect(GarbageCollector.reason(labels: ["forager.owner": me, "forager.deadline": future], now: Date()) == nil)
        #expect(GarbageCollector.reason(labels: ["forager.test": "1"], now: Date()) == nil)
        #expect(GarbageCollector.reason(labels: ["forager.owner": me, "forager.deadline": past], now: Date()) == "lifetime ended")
        let host = ProcessInfo.processInfo.hostName
        #expect(GarbageCollector.reason(labels: ["forager.owner": "\(host):999999999"], now: Date())?.contains("is gone") == true)
        #expect(GarbageCollector.reason(labels: ["forager.owner": "other-host:1"], now: Date()) == nil)
    }
}
