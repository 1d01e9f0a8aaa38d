import ArgumentParser
import DockerEngine
import ExecutionTraces
import ForagerSupport
import Foraging
import Foundation
import Trajectories

struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Record Python execution traces in CWM's frame format, in sandboxes, into the trajectory database.",
        discussion: """
            Forager's tracer (tracer.py, standard library only, sys.settrace) runs inside a sandbox. \
            --program FILE traces a whole program (its module scope is the entry, calls into its own \
            code are nested frames), once per --stdin FILE, untraced first and then traced; standard \
            output, standard error and the exit status must match. --repo SPEC runs the spec's test \
            command under the tracer: each function of its source_dirs a passing test calls becomes \
            a trace (at most --per-function per function, one per function and test), its file with \
            the def line marked `# << START_OF_TRACE` as the context. Traces are bounded \
            (--max-events, --max-bytes, --max-seconds); a cut trace says why. Traces are stored \
            under a batch id (--batch; an existing batch is resumed: programs and repos already \
            stored are skipped); see them with `forager show ID`, export them with `forager export \
            --run BATCH --format cwm-trace|trace-json`.
            """
    )

    @Option(help: "A Python program to trace (repeatable).")
    var program: [String] = []

    @Option(help: "An input file for every --program (repeatable; one traced run per input).")
    var stdin: [String] = []

    @Option(help: "Image the programs run in (needs python3).")
    var image = "forager/python-pytest:latest"

    @Option(help: "The Python of the --program image.")
    var python = "python3"

    @Option(help: "A repository spec (Tasks/repos/NAME.json) whose passing tests are traced (repeatable).")
    var repo: [String] = []

    @Option(help: "--repo: traces per function at most.")
    var perFunction = 3

    @Option(help: "Frames per trace before it is cut.")
    var maxEvents = 10_000

    @Option(help: "Bytes of frames per trace before it is cut.")
    var maxBytes = 1_000_000

    @Option(help: "Seconds of tracing per trace before it is cut.")
    var maxSeconds = 10.0

    @Option(help: "Characters of one rendered value before it is cut with …")
    var valueChars = 512

    @Option(help: "Sandboxes at once.")
    var workers = 2

    @Option(help: "Batch id the traces are stored under (default: generated; an existing one is resumed).")
    var batch: String?

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        guard !program.isEmpty || !repo.isEmpty else { throw ValidationError("Give --program FILE or --repo SPEC.") }
        guard stdin.isEmpty || !program.isEmpty else { throw ValidationError("--stdin is for --program.") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
        guard perFunction >= 1 else { throw ValidationError("--per-function must be at least 1.") }
        guard maxEvents >= 1, maxBytes >= 1, maxSeconds > 0, valueChars >= 8 else {
            throw ValidationError("--max-events, --max-bytes and --max-seconds must be positive, --value-chars at least 8.")
        }
    }

    var limits: TraceLimits {
        var l = TraceLimits()
        l.events = maxEvents
        l.bytes = maxBytes
        l.seconds = maxSeconds
        l.valueChars = valueChars
        return l
    }

    func run() async throws {
        let batch = self.batch ?? "trace-\(EvalCommand.timestampRunID())"
        let store = try await TrajectoryStore.open(at: db)
        let stored = Set(try await store.traceSummaries(batch: batch).map(\.id))
        let client = try await DockerClient.connect()
        let started = ContinuousClock.now
        var summary = TraceSummaryJSON(batch: batch, db: db)

        let inputs = try stdin.map { path -> (name: String, data: Data) in
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot read the input file") }
            return ((path as NSString).lastPathComponent, data)
        }
        var programs: [(Int, ProgramTracing.Program)] = []
        for (i, path) in program.enumerated() {
            guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("\(path): cannot read the program") }
            // Resumed batch: a program whose first trace is stored is done.
            if stored.contains("\(batch).\(i).0") { summary.skipped += 1; continue }
            programs.append((i, .init(name: (path as NSString).lastPathComponent, source: data, inputs: inputs)))
        }
        let tracing = ProgramTracing(client: client, image: image, python: python, limits: limits, batch: batch)
        let outcomes = try await forEachConcurrently(programs, workers: workers) { item in
            let outcomes = try await tracing.trace(item.1, index: item.0)
            for outcome in outcomes {
                if let record = outcome.record { try await store.recordTraces([record]) }
                Output.progress("trace: \(outcome.program)\(outcome.input.map { " < " + $0 } ?? "")  "
                    + (outcome.record.map { "\($0.frames.count) frames\($0.cut.map { " (cut: \($0))" } ?? "")" } ?? "no trace: \(outcome.error ?? "")")
                    + String(format: "  %.2f s traced, %.2f s untraced", outcome.tracedSeconds, outcome.untracedSeconds)
                    + (outcome.sameBehaviour ? "" : "  BEHAVIOUR DIFFERS from the untraced run") + "\n")
            }
            return outcomes
        }
        for outcome in outcomes.flatMap({ $0 }) { summary.add(outcome) }

        var specs: [RepoSpec] = []
        for path in repo {
            let spec = try RepoSpec.load(path)
            if stored.contains("\(batch).\(spec.name).0") { summary.skipped += 1; continue }
            specs.append(spec)
        }
        let limits = self.limits, perFunction = self.perFunction
        for spec in specs { Output.progress("trace: \(spec.name): running its tests untraced, then traced\n") }
        let results = try await forEachConcurrently(specs, workers: workers) { spec in
            let result = try await RepoTracing(client: client, spec: spec, limits: limits, perFunction: perFunction, batch: batch).run()
            try await store.recordTraces(result.records)
            Output.progress("trace: \(result.repo) at \(result.commit.prefix(12)): \(result.records.count) traces of "
                + "\(Set(result.records.map { $0.file + ":" + $0.function }).count) functions from \(result.testsPassed)/\(result.testsRun) passing tests"
                + String(format: "; tests %.1f s untraced, %.1f s traced\n", result.untracedSeconds, result.tracedSeconds))
            return result
        }
        for result in results { summary.add(result) }
        summary.seconds = (ContinuousClock.now - started).seconds
        if json { return try Output.json(summary) }
        print(Output.table([
            ["batch", batch],
            ["traces", "\(summary.traces) stored (\(summary.cut) cut, \(summary.frames) frames)\(summary.skipped > 0 ? ", \(summary.skipped) inputs already stored" : "")"],
            ["throughput", String(format: "%.1f traces per minute (%.1f s)", summary.tracesPerMinute, summary.seconds)],
            ["slowdown", summary.slowdown.map { String(format: "%.1f× the untraced run", $0) } ?? "-"],
            ["behaviour", summary.programRuns == 0 ? "-" : "\(summary.sameBehaviour)/\(summary.programRuns) program runs identical to the untraced run"],
            ["database", db],
        ]))
    }
}

/// `forager trace --json`.
struct TraceSummaryJSON: Encodable {
    var batch: String
    var db: String
    var traces = 0
    var cut = 0
    var frames = 0
    var skipped = 0
    var programRuns = 0
    var sameBehaviour = 0
    var tracedSeconds = 0.0
    var untracedSeconds = 0.0
    var seconds = 0.0
    var errors: [String] = []

    var tracesPerMinute: Double { seconds > 0 ? Double(traces) * 60 / seconds : 0 }
    var slowdown: Double? { untracedSeconds > 0 ? tracedSeconds / untracedSeconds : nil }

    enum CodingKeys: String, CodingKey {
        case batch, db, traces, cut, frames, skipped, errors, seconds
        case programRuns = "program_runs", sameBehaviour = "same_behaviour", tracedSeconds = "traced_seconds"
        case untracedSeconds = "untraced_seconds", tracesPerMinute = "traces_per_minute", slowdown
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(batch, forKey: .batch)
        try c.encode(db, forKey: .db)
        try c.encode(traces, forKey: .traces)
        try c.encode(cut, forKey: .cut)
        try c.encode(frames, forKey: .frames)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(programRuns, forKey: .programRuns)
        try c.encode(sameBehaviour, forKey: .sameBehaviour)
        try c.encode(tracedSeconds, forKey: .tracedSeconds)
        try c.encode(untracedSeconds, forKey: .untracedSeconds)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(tracesPerMinute, forKey: .tracesPerMinute)
        try c.encode(slowdown, forKey: .slowdown)
        try c.encode(errors, forKey: .errors)
    }

    mutating func add(_ o: ProgramTracing.Outcome) {
        programRuns += 1
        if o.sameBehaviour { sameBehaviour += 1 }
        tracedSeconds += o.tracedSeconds
        untracedSeconds += o.untracedSeconds
        if let r = o.record { count(r) } else if let e = o.error { errors.append("\(o.program): \(e)") }
    }

    mutating func add(_ r: RepoTracing.Result) {
        tracedSeconds += r.tracedSeconds
        untracedSeconds += r.untracedSeconds
        for record in r.records { count(record) }
    }

    private mutating func count(_ r: TraceRecord) {
        traces += 1
        frames += r.frames.count
        if r.cut != nil { cut += 1 }
    }
}

/// Runs `body` over `items` with at most `workers` at once; results in the items' order.
func forEachConcurrently<Item: Sendable, Result: Sendable>(
    _ items: [Item], workers: Int, _ body: @escaping @Sendable (Item) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results: [(Int, Result)] = []
        var queue = items.enumerated().makeIterator()
        func launch() {
            guard let (i, item) = queue.next() else { return }
            group.addTask { (i, try await body(item)) }
        }
        for _ in 0..<max(1, workers) { launch() }
        while let result = try await group.next() {
            results.append(result)
            launch()
        }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
