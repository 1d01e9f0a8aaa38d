import DockerEngine
import Foundation
import Testing
import TestSupport
@testable import Sandbox

struct ExpectedFailure: Error {}

@Suite("Sandbox lifecycle", .enabled { await dockerTestsEnabled() })
struct SandboxLifecycleTests {
    @Test("labels, init, limits, no network, no privileges, no Docker socket")
    func defaults() async throws {
        let client = try await DockerClient.connect()
        let config = SandboxConfig(image: baseImage, repoRoot: "/srv", runID: "run-x", episodeID: "ep-1", role: .grade,
                                   labels: ["forager.test": "1"])
        try await Sandbox.with(client: client, config: config) { (sandbox: Sandbox) async throws in
            let inspect = try await client.inspectContainer(sandbox.containerID)
            let labels = inspect.config.labels ?? [:]
            #expect(labels["forager.run"] == "run-x")
            #expect(labels["forager.episode"] == "ep-1")
            #expect(labels["forager.role"] == "grade")
            #expect(labels["forager.owner"] == SandboxConfig.currentOwner)
            let host = try #require(inspect.hostConfig)
            #expect(host.initProcess == true)
            #expect(host.networkMode == "none")
            #expect(host.privileged != true)
            #expect(host.memory == 8 << 30)
            #expect(host.memorySwap == 8 << 30)
            #expect(host.pidsLimit == 4096)
            #expect(host.nanoCpus == 2_000_000_000)
            #expect(host.mounts?.isEmpty ?? true)
            let out = try await sandbox.shell.run("pwd; ls /sys/class/net; test -e /var/run/docker.sock && echo SOCKET; grep -c . /proc/self/mountinfo >/dev/null; echo ok")
            #expect(out.text == "/srv\nlo\nok\n")
        }
    }

    @Test("the lifetime is enforced by the container itself")
    func lifetime() async throws {
        let client = try await DockerClient.connect()
        let config = SandboxConfig(image: baseImage, repoRoot: "/", lifetime: .seconds(6), labels: ["forager.test": "1"])
        let created = ContinuousClock.now
        try await Sandbox.with(client: client, config: config) { (sandbox: Sandbox) async throws in
            // It stops by itself (exit 0), or `forager gc` collects it once expired (137); either
            // way not before its lifetime, counted from before it was created.
            let waited = try await client.waitContainer(sandbox.containerID, timeout: .seconds(60))
            #expect([0, 137].contains(waited.statusCode))
            #expect(ContinuousClock.now - created > .seconds(5))
            #expect(await !sandbox.isRunning())
        }
    }

    @Test("the container is removed when the body throws and when the task is cancelled")
    func removalOnEveryWayOut() async throws {
        let client = try await DockerClient.connect()
        let runID = "removal-\(UUID().uuidString.prefix(8))"
        let config = SandboxConfig(image: baseImage, repoRoot: "/", runID: runID, labels: ["forager.test": "1"])
        await #expect(throws: ExpectedFailure.self) {
            try await Sandbox.with(client: client, config: config) { _ in throw ExpectedFailure() }
        }
        let task = Task {
            try await Sandbox.with(client: client, config: config) { (sandbox: Sandbox) async throws in
                _ = try await sandbox.shell.run("echo started")
                try await Task.sleep(for: .seconds(60))
            }
        }
        // Wait until the second sandbox exists, then cancel its task.
        for _ in 0..<100 {
            if try await !client.listContainers(labels: ["forager.run=\(runID)"]).isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        _ = await task.result
        #expect(try await client.listContainers(labels: ["forager.run=\(runID)"]).isEmpty)
    }

    @Test("a packed repository (as a clone is) is repacked so the future's objects are gone")
    func gitScrubPacked() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            let future = try await sandbox.shell.run("git gc -q && git rev-parse future").text?.trimmingCharacters(in: .newlines) ?? ""
            #expect(try await sandbox.shell.run("ls .git/objects/pack/*.pack | wc -l").text == "1\n")
            _ = try await sandbox.scrubGitHistory()
            #expect(try await sandbox.shell.run("git cat-file -t \(future) 2>&1").text?.contains("could not get object info") == true)
            #expect(try await sandbox.shell.run("git log --oneline | wc -l").text == "1\n")
        }
    }

    @Test("a missing image is a clear error and starts nothing")
    func missingImage() async throws {
        let client = try await DockerClient.connect()
        do {
            _ = try await Sandbox.start(client: client, config: SandboxConfig(image: "forager/no-such-image:1"))
            Issue.record("started a sandbox from a missing image")
        } catch {
            #expect("\(error)".contains("forager images build"))
        }
    }

    @Test("the git scrub leaves only the current branch and HEAD's history, and the future's objects are gone")
    func gitScrub() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            let future = try await sandbox.shell.run("git rev-parse future").text?.trimmingCharacters(in: .newlines) ?? ""
            // A staged change must survive the scrub (its blob is referenced by the index only).
            _ = try await sandbox.shell.run("echo staged > staged.txt && git add staged.txt")
            let before = try await sandbox.shell.run("git rev-list --all | wc -l; git tag; git remote")
            #expect(before.text == "2\nv1\norigin\n")
            let report = try await sandbox.scrubGitHistory()
            #expect(report.refs == ["refs/heads/main"])
            #expect(report.reachableCommits == 1)
            let after = try await sandbox.shell.run("git rev-list --all | wc -l; git tag; git remote; git reflog | wc -l; git log --all --oneline | grep -c future")
            #expect(after.text == "1\n0\n0\n")
            #expect(try await sandbox.shell.run("git cat-file -t \(future) 2>&1").text?.contains("could not get object info") == true)
            #expect(try await sandbox.shell.run("git diff --cached --name-only").text == "staged.txt\n")
            #expect(try await sandbox.shell.run("pwd").text == "/testbed\n")
        }
    }
}
