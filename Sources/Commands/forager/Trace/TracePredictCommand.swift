import Agent
import ArgumentParser
import ExecutionTraces
import Foundation
import Trajectories

/// `forager trace predict`: next-frame prediction accuracy of a model on stored traces.
struct TracePredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Score a model as CWM's neural debugger: predict each next frame of stored traces.",
        discussion: """
            For each chosen step of a trace the model gets the trace's context and the true frames \
            before the step in CWM's token layout (<|begin_of_text|><|trace_context_start|> … \
            <|frame_sep|>, the frames, each ending with <|frame_sep|>) and writes the next frame, \
            stopped at <|frame_sep|>; past the last frame of a complete trace the right answer is \
            <|end_of_text|>. The prediction is read as cwmdbg reads it and scored: well-formed, \
            event, line (event and source line), locals (as written, ".." included, for call and \
            line frames), value (return and exception frames) and the whole frame, each as an \
            exact-match share. Any backend: --model (in-process), --endpoint (e.g. CWM served by \
            vLLM, completions API), --scripted. Greedy by default (--temperature).
            """
    )

    @Option(help: "Traces of this batch (repeatable; see `forager trace`).")
    var batch: [String] = []

    @Option(help: "A trace id (repeatable).")
    var trace: [String] = []

    @Option(help: "At most this many traces (in the batch's order).")
    var limit: Int?

    @Option(help: "Steps per trace, spread evenly over it (0: every frame).")
    var steps = 8

    @Option(help: "Tokens the model may write for one frame.")
    var maxTokens = 256

    @OptionGroup var backend: ModelBackendOptions

    @Option(help: "Write every step (prompt position, truth, prediction, score) to this JSONL file.")
    var predictions: String?

    @Option(help: "The trajectory database holding the traces.")
    var db: String = TrajectoryStore.defaultPath

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard !batch.isEmpty || !trace.isEmpty else { throw ValidationError("Give --batch BATCH or --trace ID.") }
        guard steps >= 0 else { throw ValidationError("--steps cannot be negative.") }
        guard maxTokens >= 1 else { throw ValidationError("--max-tokens must be at least 1.") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let store = try await openStoreForReading(db)
        var traces: [TraceRecord] = []
        for b in batch {
            let found = try await store.traces(batch: b)
            guard !found.isEmpty else { throw CommandFailure("\(db): no traces in batch '\(b)' (see `forager trace --batch`)") }
            traces += found
        }
        for id in trace {
            guard let found = try await store.trace(id: id) else { throw CommandFailure("\(db): no trace '\(id)'") }
            traces.append(found)
        }
        if let limit { traces = Array(traces.prefix(limit)) }
        // Greedy unless --temperature says otherwise: the debugger's next frame is one answer.
        let chosen = try backend.makeBackend(episode: EpisodeConfig(), temperature: backend.temperature ?? 0)
        let prediction = TracePrediction(model: chosen.model, format: chosen.format, stepsPerTrace: steps, maxTokens: maxTokens,
                                         contextLength: chosen.contextLength)
        var writer: FileHandle?
        if let predictions {
            guard FileManager.default.createFile(atPath: predictions, contents: nil) else {
                throw CommandFailure("\(predictions): cannot create the predictions file")
            }
            writer = try FileHandle(forWritingTo: URL(fileURLWithPath: predictions))
        }
        defer { try? writer?.close() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let total = traces.map { prediction.positions(of: $0).count }.reduce(0, +)
        let tally = RightFrames()
        let status = LiveStatus(prefix: "predict")
        status.begin(total: total, skipped: 0)
        let (report, _) = try await prediction.run(traces) { [writer] step in
            if let writer { writer.write(try encoder.encode(step) + Data("\n".utf8)) }
            let right = await tally.add(step.score.frame)
            status.advance("\(step.trace) frame \(step.index): \(step.score.frame ? "right" : "wrong")", counts: "\(right) frames right")
        }
        status.finish(counts: "\(await tally.right) frames right")
        if json { return try Output.json(PredictReportJSON(model: chosen.name, backend: chosen.kind, report: report)) }
        func pct(_ v: Double?, _ n: Int? = nil) -> String {
            guard let v else { return "-" }
            return String(format: "%.1f%%", v * 100) + (n.map { " of \($0)" } ?? "")
        }
        print(Output.table([
            ["model", "\(chosen.name) (\(chosen.kind))"],
            ["traces", "\(report.traces), \(report.steps) steps" + (report.skippedTooLong > 0 ? " (\(report.skippedTooLong) too long for the window, left out)" : "")],
            ["well-formed", pct(report.wellFormed)],
            ["event", pct(report.event)],
            ["next line", pct(report.line)],
            ["locals", pct(report.locals, report.localsSteps)],
            ["value", pct(report.value, report.valueSteps)],
            ["whole frame", pct(report.frame)],
            ["time", String(format: "%.1f s, %d tokens generated", report.seconds, report.generatedTokens)],
        ]))
    }
}

/// Steps whose whole frame was right, for the status line.
private actor RightFrames {
    var right = 0
    func add(_ correct: Bool) -> Int {
        if correct { right += 1 }
        return right
    }
}

/// `forager trace predict --json`.
struct PredictReportJSON: Encodable {
    var model: String
    var backend: String
    var report: TracePrediction.Report
}
