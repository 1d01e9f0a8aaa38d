import DockerEngine
import Foundation
import Testing
@testable import Sandbox

/// The forager executable that `swift build` (and `swift test`) made beside the tests.
func foragerExecutable() throws -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for candidate in [".build/debug/forager", ".build/x86_64-unknown-linux-gnu/debug/forager"] {
        let url = root.appendingPathComponent(candidate)
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw DockerError.invalidArgument("no forager executable under \(root.path)/.build; run swift build first")
}

func runForager(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = try foragerExecutable()
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Starts `forager shell` on the base image (its stdin held open, so it waits) and returns once
/// its sandbox exists: the process, its owner label value, its containers, and the stdin pipe.
func startForagerShell(_ client: DockerClient) async throws -> (Process, String, [ContainerSummary], Pipe) {
    let process = Process()
    process.executableURL = try foragerExecutable()
    process.arguments = ["shell", "--image", baseImage]
    let stdin = Pipe()
    process.standardInput = stdin
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    let owner = "\(ProcessInfo.processInfo.hostName):\(process.processIdentifier)"
    var containers: [ContainerSummary] = []
    for _ in 0..<400 where containers.isEmpty {
        // Running, not just created: a kill between create and start leaves a stopped container.
        containers = try await client.listContainers(labels: ["forager.owner=\(owner)"]).filter { $0.state == "running" }
        if containers.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
    }
    return (process, owner, containers, stdin)
}

@Suite("Garbage collection", .enabled { await dockerTestsEnabled() })
struct GarbageCollectorTests {
    @Test("forager gc removes the sandbox of a forager process killed with SIGKILL, and --dry-run only lists it")
    func afterSigkill() async throws {
        let client = try await DockerClient.connect()
        let (process, owner, containers, stdin) = try await startForagerShell(client)
        defer { _ = stdin }
        let id = try #require(containers.first?.id, "forager shell started no container")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try await client.inspectContainer(id).state.running, "the killed process could not clean up")

        let dry = try runForager(["gc", "--dry-run"])
        #expect(dry.contains("owner process \(process.processIdentifier) is gone"))
        #expect(try await client.inspectContainer(id).state.running)

        let removed = try runForager(["gc"])
        #expect(removed.contains("removed"))
        #expect(try await client.listContainers(labels: ["forager.owner=\(owner)"]).isEmpty)
    }

    @Test("Ctrl-C (SIGINT) to forager removes its sandbox before it exits with 130")
    func interruptCleansUp() async throws {
        let client = try await DockerClient.connect()
        let (process, owner, containers, stdin) = try await startForagerShell(client)
        defer { _ = stdin }
        #expect(!containers.isEmpty, "forager shell started no container")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
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
