import DockerEngine
import ForagerSupport
import Sandbox
import Foundation

/// `forager bench engine`: the engine client's round trips beside the docker CLI doing the same
/// work in the same run.
public struct EngineBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var endpoint: String
        public var image: String
        public var pingP50Ms: Double
        public var runP50Ms: Double
        public var cliRunP50Ms: Double?
        public var runSpeedup: Double?
        public var execP50Ms: Double
        public var cliExecP50Ms: Double?
        public var execSpeedup: Double?
        public var samples: [String: Int]

        enum CodingKeys: String, CodingKey {
            case endpoint, image, samples
            case pingP50Ms = "ping_p50_ms"
            case runP50Ms = "run_p50_ms", cliRunP50Ms = "cli_run_p50_ms", runSpeedup = "run_speedup"
            case execP50Ms = "exec_p50_ms", cliExecP50Ms = "cli_exec_p50_ms", execSpeedup = "exec_speedup"
        }
    }

    public var image = "forager/base:bookworm"
    public var pings = 200
    public var runs = 15
    public var execs = 30
    /// The docker CLI to compare with; nil skips the comparison.
    public var dockerCLI: String? = "docker"

    public init() {}

    public func run(client: DockerClient, progress: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        guard try await client.inspectImage(image) != nil else {
            throw DockerError.notFound("image \(image) is missing; run Scripts/setup")
        }
        let labels = ["forager.bench": "1", SandboxConfig.Label.owner: SandboxConfig.currentOwner]

        progress("ping × \(pings)")
        var ping = Samples()
        for _ in 0..<pings { ping.add(try await measure { _ = try await client.ping() }) }

        // A container that runs `true` to completion: create + start + wait + remove, which is what
        // `docker run --rm IMAGE true` does.
        progress("run × \(runs)")
        var run = Samples()
        for _ in 0..<runs {
            run.add(try await measure {
                let id = try await client.createContainer(ContainerSpec(image: image, cmd: ["true"], labels: labels))
                try await client.startContainer(id)
                _ = try await client.waitContainer(id, timeout: .seconds(60))
                try await client.removeContainer(id)
            })
        }

        let target = try await client.runContainer(ContainerSpec(
            image: image, cmd: ["sleep", "infinity"], labels: labels, hostConfig: HostConfig(initProcess: true)))
        let phase: (ours: Samples, cliRun: Samples?, cliExec: Samples?)
        do {
            phase = try await execPhase(client: client, target: target, progress: progress)
        } catch {
            try? await client.removeContainer(target)
            throw error
        }
        try? await client.removeContainer(target)
        let (exec, cliRun, cliExec) = phase

        return Result(
            endpoint: client.endpoint.description, image: image,
            pingP50Ms: rounded(ping.p50),
            runP50Ms: rounded(run.p50), cliRunP50Ms: cliRun.map { rounded($0.p50) },
            runSpeedup: cliRun.map { rounded($0.p50 / run.p50) },
            execP50Ms: rounded(exec.p50), cliExecP50Ms: cliExec.map { rounded($0.p50) },
            execSpeedup: cliExec.map { rounded($0.p50 / exec.p50) },
            samples: ["ping": pings, "run": runs, "exec": execs])
    }
}

extension EngineBenchmark {
    /// One-shot execs in a running container, then the docker CLI's `run --rm` and `exec`.
    private func execPhase(client: DockerClient, target: String, progress: @Sendable (String) -> Void) async throws
        -> (ours: Samples, cliRun: Samples?, cliExec: Samples?)
    {
        progress("exec × \(execs)")
        var exec = Samples()
        for _ in 0..<execs {
            exec.add(try await measure { _ = try await client.exec(container: target, ["true"]) })
        }
        guard let cli = dockerCLI, CLI.exists(cli) else { return (exec, nil, nil) }
        progress("docker run --rm × \(runs)")
        var cliRun = Samples()
        for _ in 0..<runs { cliRun.add(try await measure { try CLI.run(cli, ["run", "--rm", "--label", "forager.bench=1", image, "true"]) }) }
        progress("docker exec × \(execs)")
        var cliExec = Samples()
        for _ in 0..<execs { cliExec.add(try await measure { try CLI.run(cli, ["exec", target, "true"]) }) }
        return (exec, cliRun, cliExec)
    }
}

/// Runs the docker CLI for comparison runs.
enum CLI {
    static func exists(_ name: String) -> Bool {
        (try? run("/usr/bin/env", ["which", name], direct: true)) != nil
    }

    static func run(_ name: String, _ arguments: [String], direct: Bool = false) throws {
        let result = try ProcessRunner.run(direct ? name : "/usr/bin/env", direct ? arguments : [name] + arguments, output: .discard)
        guard result.succeeded else {
            throw DockerError.invalidArgument("\(name) \(arguments.joined(separator: " ")) exited with \(result.status)")
        }
    }
}
