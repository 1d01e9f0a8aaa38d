import DockerEngine
import Foundation
import Testing
import TestSupport
@testable import Sandbox

/// A sandbox on the base image with a small git repository at /testbed (two commits on main, a
/// later commit on a side branch, a tag and a remote that the scrub must remove), and a short
/// command timeout so timeouts are quick to test.
func withRepoSandbox<T: Sendable>(
    timeout: Duration = .seconds(3), memory: Int64 = 1 << 30, pids: Int64 = 512,
    _ body: (Sandbox) async throws -> T
) async throws -> T {
    let client = try await DockerClient.connect()
    let config = SandboxConfig(image: baseImage, repoRoot: "/testbed", runID: "test", role: .agent,
                               memoryBytes: memory, pidsLimit: pids, lifetime: .seconds(600),
                               labels: ["forager.test": "1"])
    return try await Sandbox.with(client: client, config: config, shell: .init(commandTimeout: timeout)) { sandbox in
        let setup = try await client.exec(container: sandbox.containerID, ["bash", "-c", """
            set -e
            mkdir -p /testbed && cd /testbed && git init -q -b main
            printf 'def f():\\n    return 1\\n' > a.py && git add a.py && git commit -qm base
            git tag v1 && git checkout -qb future && echo 'future' > future.txt && git add . && git commit -qm future
            git checkout -q main && git remote add origin https://example.invalid/repo.git
            """])
        #expect(setup.exitCode == 0, "\(setup.output.stderrText)")
        return try await body(sandbox)
    }
}

extension PersistentShell.Outcome {
    var text: String? {
        if case .success(let output, _) = self { return String(decoding: output, as: UTF8.self) }
        return nil
    }
    var failure: PersistentShell.Failure? {
        if case .failure(let f, _) = self { return f }
        return nil
    }
}
