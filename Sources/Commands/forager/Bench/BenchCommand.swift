import ArgumentParser
import Benchmarks
import DockerEngine
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print their figures beside a reference.",
        subcommands: [BenchEngineCommand.self, BenchSandboxCommand.self, BenchEvalCommand.self]
    )
}

struct BenchEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Engine round trips (ping, run a container, one-shot exec) beside the docker CLI."
    )

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Containers to run (and docker run --rm calls).")
    var runs = 15

    @Option(help: "One-shot execs (and docker exec calls).")
    var execs = 30

    func run() async throws {
        let client = try await DockerClient.connect()
        var bench = EngineBenchmark()
        bench.runs = runs
        bench.execs = execs
        let result = try await bench.run(client: client) { Output.progress("bench engine: \($0)\n") }
        if json {
            try Output.json(result)
            return
        }
        func ms(_ x: Double?) -> String { x.map { String(format: "%.2f ms", $0) } ?? "-" }
        func ratio(_ x: Double?) -> String { x.map { String(format: "%.1f×", $0) } ?? "-" }
        print(Output.table([
            ["p50", "forager", "docker CLI", "speed-up"],
            ["ping", ms(result.pingP50Ms), "-", "-"],
            ["run a container (create+start+wait+remove)", ms(result.runP50Ms), ms(result.cliRunP50Ms), ratio(result.runSpeedup)],
            ["one-shot exec", ms(result.execP50Ms), ms(result.cliExecP50Ms), ratio(result.execSpeedup)],
        ]))
    }
}

struct BenchSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Sandbox readiness (create, start, git scrub, session), session round trips beside fresh execs, and an edit."
    )

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "Sandboxes to make ready.")
    var readies = 20

    @Option(help: "Round trips in the persistent session.")
    var roundTrips = 1000

    @Option(help: "Sandboxes asked for at once in the burst.")
    var burst = 32

    @OptionGroup(title: "Cluster") var clusterOptions: ClusterOptions

    @Option(help: "Registry HOST:PORT the swarm's nodes pull the benchmark image from (--cluster swarm).")
    var registry: String?

    func run() async throws {
        let client = try await DockerClient.connect()
        var bench = SandboxBenchmark()
        bench.readies = readies
        bench.roundTrips = roundTrips
        bench.burst = burst
        let r = try await clusterOptions.placing(manager: client, registry: registry) {
            try await bench.run(client: client) { Output.progress("bench sandbox: \($0)\n") }
        }
        if json {
            try Output.json(r)
            return
        }
        func ms(_ x: Double) -> String { String(format: "%.3f ms", x) }
        print(Output.table([
            ["measure", "value", "target"],
            ["ready p50 / p95 (create+start+scrub+session)", "\(ms(r.readyP50Ms)) / \(ms(r.readyP95Ms))", "p50 ≤ 300 ms"],
            ["  of which create+start / session / scrub", ["create_start", "session", "scrub"].map { ms(r.readyPhasesP50Ms[$0] ?? 0) }.joined(separator: " / "), "-"],
            ["ready p50 on a warm-pool hit (--warm)", ms(r.poolReadyP50Ms), "p50 ≤ 50 ms"],
            ["burst: sandboxes up of those asked at once", "\(r.burstOK) / \(r.burstSize) in \(String(format: "%.1f", r.burstSeconds)) s", "all"],
            ["session round trip p50 / p99", "\(ms(r.sessionRttP50Ms)) / \(ms(r.sessionRttP99Ms))", "p50 ≤ 1 ms"],
            ["fresh exec per command p50", ms(r.execRttP50Ms), "-"],
            ["session speed-up over fresh exec", String(format: "%.0f×", r.sessionSpeedup), "≥ 40×"],
            ["edit of a 2,000-line file p50", ms(r.editP50Ms), "-"],
        ]))
    }
}

struct BenchEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Gold-validation throughput (instances per minute) with 1 and 2 workers, and the time per phase."
    )

    @Option(help: "The task file to validate.")
    var tasks = "Tasks/demo/tasks.jsonl"

    @Flag(help: "Print JSON.")
    var json = false

    func run() async throws {
        let client = try await DockerClient.connect()
        let r = try await EvalBenchmark().run(client: client, tasksFile: tasks) { Output.progress("bench eval: \($0)\n") }
        if json {
            try Output.json(r)
            return
        }
        var rows = [["measure", "value"]]
        for w in r.instancesPerMinute.keys.sorted() {
            rows.append(["gold validation, \(w) worker(s)", String(format: "%.1f instances/min (%d/%d resolved)", r.instancesPerMinute[w] ?? 0, r.resolved[w] ?? 0, r.instances)])
        }
        for phase in ["container", "apply", "tests", "grade"] {
            rows.append(["  mean \(phase) per instance", String(format: "%.3f s", r.phaseMeanSeconds[phase] ?? 0)])
        }
        print(Output.table(rows))
    }
}
