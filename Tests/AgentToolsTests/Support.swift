import Agent
import DockerEnvironment
import DockerEngine
import ForagerSupport
import Foundation
import Sandbox
import Testing
import TestSupport
@testable import AgentTools

// MARK: - Backends

/// Where a tool behaviour test runs: a temporary host directory with `LocalShellSession` and
/// `LocalWorkspace`, or a real container with the persistent shell (`ContainerShellSession`) and
/// archive-based files (`ContainerWorkspace`). The same test body and assertions run on both.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case local, container

    var testDescription: String { rawValue }
}

/// What a behaviour test needs from its backend: files relative to a fresh, empty root
/// directory (in which the session starts and to which it returns after a failure), the
/// session, and the SWE tools over the session and its workspace.
protocol ToolFixture: Sendable {
    var backend: Backend { get }
    /// The root's absolute, symlink-free path (what `pwd` prints there).
    var root: String { get }
    var session: any ShellSession { get }
    var workspace: any Workspace { get }
    var registry: ToolRegistry { get }

    func writeBytes(_ relativePath: String, _ bytes: [UInt8]) async throws
    func readBytes(_ relativePath: String) async throws -> [UInt8]
    /// Creates the directory and its missing parents.
    func mkdir(_ relativePath: String) async throws
    func exists(_ relativePath: String) async throws -> Bool
}

extension ToolFixture {
    func write(_ relativePath: String, _ text: String) async throws {
        try await writeBytes(relativePath, Array(text.utf8))
    }

    func read(_ relativePath: String) async throws -> String {
        String(decoding: try await readBytes(relativePath), as: UTF8.self)
    }

    /// Applies a tool call as the agent loop does (`ToolRegistry.apply`).
    func call(_ name: String, _ input: String) async throws -> ToolResult {
        try await registry.apply(ToolCall(name: name, input: input))
    }

    /// The directory the tools resolve relative paths against (it follows the session's `cd`).
    func currentDirectory() async throws -> String {
        try await workspace.currentDirectory()
    }
}

/// Runs `body` with a fresh fixture on `backend`, torn down afterwards on every path.
///
/// - Parameter timeout: the session's per-command timeout, in both backends.
///
/// Container cases need a Docker engine and the `forager/base:bookworm` image. With
/// `FORAGER_REQUIRE_DOCKER=1` they always run (and fail when the engine is missing); otherwise
/// they are skipped (cancelled, with a warning) when no engine answers.
///
/// Write the body as `{ fixture async throws in … }`: a closure whose only `try`s are inside
/// `#expect` is otherwise inferred as non-throwing and does not compile.
func withFixture(
    _ backend: Backend, timeout: Duration = .seconds(20),
    _ body: (any ToolFixture) async throws -> Void
) async throws {
    switch backend {
    case .local:
        try await body(LocalFixture(timeoutSeconds: timeout.seconds))
    case .container:
        try await ContainerFixture.with(timeout: timeout) { try await body($0) }
    }
}

// MARK: - Local

/// A temporary directory removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        let url = TestScratch.url
            .appendingPathComponent("agent-tools-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        // Tests compare absolute paths with what the shell reports, so use the resolved path.
        path = url.resolvingSymlinksInPath().path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A session, a workspace that follows it, and the SWE tools over a temporary directory.
struct LocalFixture: ToolFixture {
    let directory: TemporaryDirectory
    let localSession: LocalShellSession
    let workspace: any Workspace
    let registry: ToolRegistry

    var backend: Backend { .local }
    var root: String { directory.path }
    var session: any ShellSession { localSession }

    init(timeoutSeconds: Double = 20, outputLimit: Int = LocalShellSession.defaultOutputLimit) throws {
        directory = try TemporaryDirectory()
        localSession = try LocalShellSession(
            directory: directory.path, timeoutSeconds: timeoutSeconds, outputLimit: outputLimit)
        workspace = LocalWorkspace(session: localSession)
        registry = ToolRegistry.swe(session: localSession, workspace: workspace)
    }

    private func url(_ relativePath: String) -> URL {
        URL(fileURLWithPath: directory.path + "/" + relativePath)
    }

    func writeBytes(_ relativePath: String, _ bytes: [UInt8]) async throws {
        try Data(bytes).write(to: url(relativePath))
    }

    func readBytes(_ relativePath: String) async throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    func mkdir(_ relativePath: String) async throws {
        try FileManager.default.createDirectory(atPath: directory.path + "/" + relativePath, withIntermediateDirectories: true)
    }

    func exists(_ relativePath: String) async throws -> Bool {
        FileManager.default.fileExists(atPath: directory.path + "/" + relativePath)
    }
}

// MARK: - Container

/// A sandbox on the base image whose session starts in a fresh, empty `/work/<uuid>` (the
/// sandbox's repository root, so a failure resets the session there). The test's own file
/// access uses one-shot execs (`cat`, `base64 -d`, `mkdir`, `test`), independent of the
/// archive API the tools' `ContainerWorkspace` uses.
struct ContainerFixture: ToolFixture {
    let sandbox: Sandbox
    let root: String
    let session: any ShellSession
    let workspace: any Workspace
    let registry: ToolRegistry

    var backend: Backend { .container }

    private init(sandbox: Sandbox) {
        self.sandbox = sandbox
        root = sandbox.config.repoRoot
        session = ContainerShellSession(shell: sandbox.shell)
        workspace = ContainerWorkspace(sandbox: sandbox)
        registry = ToolRegistry.swe(session: session, workspace: workspace)
    }

    static func with<T: Sendable>(timeout: Duration, _ body: (ContainerFixture) async throws -> T) async throws -> T {
        guard let client = try await DockerSwitch.sharedClient() else {
            // The console reports a cancelled test case as passed, so say so with a warning too.
            let why: Comment = "Container case skipped: no Docker engine answers (FORAGER_REQUIRE_DOCKER=1 makes that a failure)."
            Issue.record(why, severity: .warning)
            try Test.cancel(why)
        }
        let config = SandboxConfig(
            image: baseImage, repoRoot: "/work/\(UUID().uuidString.lowercased())", runID: "agent-tools-test",
            role: .agent, memoryBytes: 1 << 30, pidsLimit: 512, lifetime: .seconds(600),
            labels: ["forager.test": "1"])
        return try await ContainerSlots.shared.withSlot {
            try await Sandbox.with(client: client, config: config, shell: .init(commandTimeout: timeout)) { sandbox in
                let fixture = ContainerFixture(sandbox: sandbox)
                // The engine creates the working directory; make sure it is there before the
                // session's first command, whatever the engine does.
                _ = try await fixture.exec(["mkdir", "-p", "--", fixture.root])
                return try await body(fixture)
            }
        }
    }

    private func path(_ relativePath: String) -> String { root + "/" + relativePath }

    /// Runs a one-shot command in the container and returns its stdout; a non-zero exit throws.
    private func exec(_ command: [String]) async throws -> Data {
        let result = try await sandbox.client.exec(container: sandbox.containerID, command)
        guard result.exitCode == 0 else {
            throw TestFailure(description: "\(command) exited with \(result.exitCode.map(String.init) ?? "?"): \(result.output.stderrText)")
        }
        return result.stdout
    }

    func writeBytes(_ relativePath: String, _ bytes: [UInt8]) async throws {
        _ = try await exec(["sh", "-c", #"printf %s "$1" | base64 -d > "$2""#, "sh",
                            Data(bytes).base64EncodedString(), path(relativePath)])
    }

    func readBytes(_ relativePath: String) async throws -> [UInt8] {
        [UInt8](try await exec(["cat", "--", path(relativePath)]))
    }

    func mkdir(_ relativePath: String) async throws {
        _ = try await exec(["mkdir", "-p", "--", path(relativePath)])
    }

    func exists(_ relativePath: String) async throws -> Bool {
        let result = try await sandbox.client.exec(container: sandbox.containerID, ["test", "-e", path(relativePath)])
        return result.exitCode == 0
    }
}

/// Bounds how many sandboxes the suite runs at once, so that the short command timeouts of
/// the timeout behaviours are not eaten by a crowd of containers starting on a small machine.
actor ContainerSlots {
    static let shared = ContainerSlots(limit: 4)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { free = limit }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    nonisolated func withSlot<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}

// MARK: - Stub

/// A session that replays canned results and records the commands it was given.
actor StubShellSession: ShellSession {
    private var results: [ShellCommandResult]
    private(set) var commands: [String] = []

    init(_ results: [ShellCommandResult]) {
        self.results = results
    }

    func run(_ command: String) async throws(ToolBackendError) -> ShellCommandResult {
        commands.append(command)
        guard !results.isEmpty else { throw ToolBackendError("stub session has no result left") }
        return results.removeFirst()
    }
}
