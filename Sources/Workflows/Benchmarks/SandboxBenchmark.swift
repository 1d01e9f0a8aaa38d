import Agent
import DockerEnvironment
import AgentTools
import DockerEngine
import Foundation
import Sandbox

/// `forager bench sandbox`: how fast an episode's sandbox gets ready and answers.
public struct SandboxBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var image: String
        public var readyP50Ms: Double
        public var readyP95Ms: Double
        public var sessionRttP50Ms: Double
        public var sessionRttP99Ms: Double
        public var execRttP50Ms: Double
        public var sessionSpeedup: Double
        public var editP50Ms: Double
        /// p50 of each part of getting ready: create+start, first session command, scrub.
        public var readyPhasesP50Ms: [String: Double]
        /// Ready time when the sandbox comes from a warm pool (`--warm`): taken already started,
        /// session open and scrubbed.
        public var poolReadyP50Ms: Double
        /// Sandboxes asked for at once, and how many came up (started, a session command answered).
        public var burstSize: Int
        public var burstOK: Int
        /// Seconds from the burst's request to its last sandbox up.
        public var burstSeconds: Double
        public var samples: [String: Int]

        enum CodingKeys: String, CodingKey {
            case image, samples
            case readyP50Ms = "ready_p50_ms", readyP95Ms = "ready_p95_ms"
            case sessionRttP50Ms = "session_rtt_p50_ms", sessionRttP99Ms = "session_rtt_p99_ms"
            case execRttP50Ms = "exec_rtt_p50_ms", sessionSpeedup = "session_speedup", editP50Ms = "edit_p50_ms"
            case readyPhasesP50Ms = "ready_phases_p50_ms", poolReadyP50Ms = "pool_ready_p50_ms"
            case burstSize = "burst_size", burstOK = "burst_ok", burstSeconds = "burst_seconds"
        }
    }

    /// The base image plus a git repository at /testbed (so the scrub has history to remove),
    /// built on demand from this recipe.
    public static let image = "forager/bench-repo:latest"
    static let dockerfile = """
        FROM forager/base:bookworm
        RUN mkdir /testbed && cd /testbed && git init -q -b main && \\
            for i in $(seq 1 30); do echo "change $i" >> history.txt; git add history.txt; git commit -qm "commit $i"; done && \\
            git tag v1 && git checkout -qb feature && echo future > future.txt && git add future.txt && git commit -qm future && git checkout -q main
        """

    public var readies = 20
    public var roundTrips = 1000
    public var execs = 50
    public var edits = 30
    public var poolTakes = 20
    public var burst = 32

    public init() {}

    public func run(client: DockerClient, progress: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        if try await client.inspectImage(Self.image) == nil {
            progress("building \(Self.image)")
            let context = try TarWriter.archive([.file("Dockerfile", Self.dockerfile)])
            try await client.buildImage(context: context, options: BuildOptions(tags: [Self.image], labels: ["forager.image": "bench-repo"]))
        }
        // Small limits: on a swarm they are reservations too, and the burst must fit the nodes.
        let config = SandboxConfig(image: Self.image, repoRoot: "/testbed", runID: "bench", role: .bench,
                                   memoryBytes: 1 << 30, cpus: 0.5, lifetime: .seconds(900))

        progress("ready × \(readies)")
        var ready = Samples(), containerPhase = Samples(), sessionPhase = Samples(), scrubPhase = Samples()
        for _ in 0..<readies {
            let start = ContinuousClock.now
            let sandbox = try await Sandbox.start(client: client, config: config)
            let started = ContinuousClock.now
            do {
                _ = try await sandbox.shell.run(":")
                let sessionReady = ContinuousClock.now
                try await sandbox.scrubGitHistory()
                let end = ContinuousClock.now
                ready.add(end - start)
                containerPhase.add(started - start)
                sessionPhase.add(sessionReady - started)
                scrubPhase.add(end - sessionReady)
            } catch {
                await sandbox.close()
                throw error
            }
            await sandbox.close()
        }

        progress("warm pool × \(poolTakes)")
        let pool = SandboxPool(client: client, size: 2)
        var poolReady = Samples()
        for i in 0...poolTakes {
            if i > 0 {  // wait until a warm one waits (the first take is cold and starts the filling)
                for _ in 0..<500 where await pool.waiting == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            let start = ContinuousClock.now
            let taken = try await pool.take(config, flavour: .scrubbed)
            if i > 0 { poolReady.add(ContinuousClock.now - start) }
            await taken.sandbox.close()
        }
        await pool.drain()

        progress("burst of \(burst) at once")
        let burstStart = ContinuousClock.now
        let burstOK = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<burst {
                group.addTask {
                    guard let sandbox = try? await Sandbox.start(client: client, config: config) else { return false }
                    let answered = (try? await sandbox.shell.run("echo up")).map { if case .success = $0 { true } else { false } } ?? false
                    await sandbox.close()
                    return answered
                }
            }
            var ok = 0
            for await up in group where up { ok += 1 }
            return ok
        }
        let burstSeconds = (ContinuousClock.now - burstStart).seconds

        return try await Sandbox.with(client: client, config: config) { sandbox in
            progress("session round trip × \(roundTrips)")
            _ = try await sandbox.shell.run("echo warm")
            var session = Samples()
            for _ in 0..<roundTrips {
                session.add(try await measure { _ = try await sandbox.shell.run("echo hi") })
            }

            progress("fresh exec × \(execs)")
            var exec = Samples()
            for _ in 0..<execs {
                exec.add(try await measure { _ = try await sandbox.client.exec(container: sandbox.containerID, ["bash", "-c", "echo hi"]) })
            }

            progress("edit of a 2,000-line file × \(edits)")
            let lines = (1...2000).map { "value_\($0) = \($0)\n" }.joined()
            try await sandbox.files.write("/testbed/big.py", Data(lines.utf8))
            let registry = ToolRegistry.swe(session: ContainerShellSession(shell: sandbox.shell), workspace: ContainerWorkspace(sandbox: sandbox))
            var edit = Samples()
            for i in 0..<edits {
                let (from, to) = i % 2 == 0 ? ("value_1000 = 1000", "value_1000 = -1000") : ("value_1000 = -1000", "value_1000 = 1000")
                let call = ToolCall(name: "edit", input: "big.py\n<<<<<<< SEARCH\n\(from)\n=======\n\(to)\n>>>>>>> REPLACE")
                var result: ToolResult?
                edit.add(try await measure { result = try await registry.apply(call) })
                guard result?.succeeded == true else {
                    throw DockerError.invalidArgument("edit benchmark: the edit failed: \(result?.output ?? "no result")")
                }
            }
            return Result(
                image: Self.image,
                readyP50Ms: rounded(ready.p50), readyP95Ms: rounded(ready.p95),
                sessionRttP50Ms: rounded(session.p50), sessionRttP99Ms: rounded(session.p99),
                execRttP50Ms: rounded(exec.p50), sessionSpeedup: rounded(exec.p50 / session.p50),
                editP50Ms: rounded(edit.p50),
                readyPhasesP50Ms: ["create_start": rounded(containerPhase.p50), "session": rounded(sessionPhase.p50),
                                   "scrub": rounded(scrubPhase.p50)],
                poolReadyP50Ms: rounded(poolReady.p50), burstSize: burst, burstOK: burstOK, burstSeconds: rounded(burstSeconds),
                samples: ["ready": readies, "session": roundTrips, "exec": execs, "edit": edits, "pool": poolTakes])
        }
    }
}
