import ArgumentParser
import DockerEngine
import ExecutionTraces
import ForagerSupport
import Foraging
import Foundation
import Tasks
import Trajectories

/// `forager trace`: recording (the default subcommand, `record`) and `predict`.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Python execution traces in CWM's frame format: record them in sandboxes, score models on them.",
        subcommands: [TraceRecordCommand.self, TracePredictCommand.self],
        defaultSubcommand: TraceRecordCommand.self
    )
}

struct TraceRecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record Python execution traces in CWM's frame format, in sandboxes, into the trajectory database.",
        discussion: """
            Forager's tracer (tracer.py, standard library only, sys.settrace) runs inside a sandbox. \
            --program FILE traces a whole program (its module scope is the entry, calls into its own \
            code are nested frames), once per --stdin FILE, untraced first and then traced; standard \
            output, standard error and the exit status must match. --repo SPEC runs the spec's test \
            command under the tracer: each function of its source_dirs a passing test calls becomes \
            a trace (at most --per-function per function, one per function and test), its file with \
            the def line marked `# << START_OF_TRACE` as the context. --tasks FILE traces each \
            row's FAIL_TO_PASS tests at the bug and again with the gold fix (functions of the files \
            the fix changes); a bug trace and a fix trace of the same call are a pair, and the \
            summary says at which frame they diverge. Traces are bounded \
            (--max-events, --max-bytes, --max-seconds); a cut trace says why. Traces are stored \
            under a batch id (--batch; an existing batch is resumed: programs and repos already \
            stored are skipped); see them with `forager show ID`, export them with `forager export \
            --run BATCH --format cwm-trace|trace-json`; `forager trace predict` measures a model's \
            next-frame predictions on them. `forager trace …` without a subcommand is `forager trace record …`.
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

    @Option(help: "Task rows (mutate-fix or issue-fix, JSONL or a JSON array) whose FAIL_TO_PASS tests are traced at the bug and with the gold fix.")
    var tasks: String?

    @Option(help: "--tasks: only these instances (repeatable).")
    var instanceID: [String] = []

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
        guard !program.isEmpty || !repo.isEmpty || tasks != nil else { throw ValidationError("Give --program FILE, --repo SPEC or --tasks FILE.") }
        guard instanceID.isEmpty || tasks != nil else { throw ValidationError("--instance-id is for --tasks.") }
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
        if !programs.isEmpty { try await RecipeImages.buildMissing([image], client: client) }
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
        try await RecipeImages.buildMissing(specs.map(\.image), client: client)
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

        if let tasks {
            var rows = try TaskLoader.load(tasks)
            if !instanceID.isEmpty {
                let wanted = Set(instanceID)
                if let missing = wanted.subtracting(rows.map(\.instanceID)).sorted().first {
                    throw CommandFailure("\(tasks): no row has instance_id '\(missing)'")
                }
                rows = rows.filter { wanted.contains($0.instanceID) }
            }
            try await RecipeImages.buildMissing(rows.map(\.image), client: client)
            let pending = rows.filter { row in
                let done = stored.contains("\(batch).\(row.instanceID).bug.0")
                if done { summary.skipped += 1 }
                return !done
            }
            let python = self.python
            let outcomes = try await forEachConcurrently(pending, workers: workers) { row -> Result<TaskTracing.Result, TracingError> in
                do {
                    let result = try await TaskTracing(client: client, task: row, python: python, limits: limits, batch: batch).run()
                    try await store.recordTraces(result.records)
                    let diverging = result.pairs.filter { $0.divergesAt != nil }.count
                    Output.progress("trace: \(row.instanceID): \(result.records.count) traces from the \(result.entries == .changedFunctions ? "changed functions" : "changed files' functions"), "
                        + "\(result.pairs.count) bug/fix pairs (\(diverging) diverge); "
                        + "FAIL_TO_PASS passed \(result.passedAtBug)/\(result.tests) at the bug, \(result.passedWithFix)/\(result.tests) with the fix\n")
                    return .success(result)
                } catch let error as TracingError {
                    Output.progress("trace: \(row.instanceID): not traced: \(error)\n")
                    return .failure(error)
                }
            }
            for outcome in outcomes {
                switch outcome {
                case .success(let result): summary.add(result)
                case .failure(let error): summary.errors.append(error.description)
                }
            }
        }
        summary.seconds = (ContinuousClock.now - started).seconds
        if json { return try Output.json(summary) }
        print(Output.table([
            ["batch", batch],
            ["traces", "\(summary.traces) stored (\(summary.cut) cut, \(summary.frames) frames)\(summary.skipped > 0 ? ", \(summary.skipped) inputs already stored" : "")"],
            ["throughput", String(format: "%.1f traces per minute (%.1f s)", summary.tracesPerMinute, summary.seconds)],
            ["slowdown", summary.slowdown.map { String(format: "%.1f× the untraced run", $0) } ?? "-"],
            ["behaviour", summary.programRuns == 0 ? "-" : "\(summary.sameBehaviour)/\(summary.programRuns) program runs identical to the untraced run"],
            ["bug/fix pairs", summary.pairs.isEmpty ? "-" : "\(summary.pairs.count) (\(summary.pairs.filter { $0.divergesAt != nil }.count) diverge, at frame "
                + (summary.pairs.compactMap(\.divergesAt).sorted().dropFirst(summary.pairs.compactMap(\.divergesAt).count / 2).first.map { "\($0)" } ?? "-") + " at the median)"],
            ["not traced", summary.errors.isEmpty ? "-" : summary.errors.joined(separator: "\n")],
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
    var pairs: [TracePairJSON] = []

    var tracesPerMinute: Double { seconds > 0 ? Double(traces) * 60 / seconds : 0 }
    var slowdown: Double? { untracedSeconds > 0 ? tracedSeconds / untracedSeconds : nil }

    enum CodingKeys: String, CodingKey {
        case batch, db, traces, cut, frames, skipped, errors, seconds
        case programRuns = "program_runs", sameBehaviour = "same_behaviour", tracedSeconds = "traced_seconds"
        case untracedSeconds = "untraced_seconds", tracesPerMinute = "traces_per_minute", slowdown, pairs
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
        try c.encode(pairs, forKey: .pairs)
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

    mutating func add(_ r: TaskTracing.Result) {
        tracedSeconds += r.tracedSeconds
        for record in r.records { count(record) }
        pairs += r.pairs.map { TracePairJSON(task: r.instanceID, $0) }
    }

    private mutating func count(_ r: TraceRecord) {
        traces += 1
        frames += r.frames.count
        if r.cut != nil { cut += 1 }
    }
}

/// A bug trace and a fix trace of the same call (`forager trace --tasks --json`).
struct TracePairJSON: Encodable {
    var task: String
    var test: String?
    var file: String
    var function: String
    var bugTrace: String
    var fixTrace: String
    var divergesAt: Int?

    init(task: String, _ p: TaskTracing.Pair) {
        self.task = task
        test = p.test; file = p.file; function = p.function; bugTrace = p.bugTrace; fixTrace = p.fixTrace; divergesAt = p.divergesAt
    }

    enum CodingKeys: String, CodingKey {
        case task, test, file, function
        case bugTrace = "bug_trace", fixTrace = "fix_trace", divergesAt = "diverges_at"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(task, forKey: .task)
        try c.encode(test, forKey: .test)
        try c.encode(file, forKey: .file)
        try c.encode(function, forKey: .function)
        try c.encode(bugTrace, forKey: .bugTrace)
        try c.encode(fixTrace, forKey: .fixTrace)
        try c.encode(divergesAt, forKey: .divergesAt)
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
