import ArgumentParser
import Foundation
import Trajectories

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a run's trajectories as CWM rollouts, mini-swe-agent trajectories, or SWE-bench predictions.",
        discussion: """
            cwm: one {"rollouts":[…],"metrics":[…]} line per finished episode (CWM's dump format, minimal mode), \
            near-duplicates removed per repository as ForagerAgent does (MinHash over the concatenated actions; \
            an episode is dropped when an earlier kept one has Jaccard ≥ --dedup-threshold), never filtered on success. \
            mini: <instance_id>/<instance_id>.traj.json per episode (mini-swe-agent 1.1) under --out (default <run>.mini). \
            preds: SWE-bench predictions JSONL, one per instance. cwm-trace (complete traces only) and trace-json \
            export the execution traces of the `forager trace` batch --run names: one JSON line per trace, \
            cwm-trace's `text` being CWM's token text (<|begin_of_text|><|trace_context_start|>context<|frame_sep|>, \
            the frames, <|end_of_text|>). JSONL goes to standard output without --out.
            """
    )

    @Option(help: "The run id (a trace batch for cwm-trace and trace-json).")
    var run: String

    @Option(help: "cwm, mini, preds, cwm-trace or trace-json.")
    var format: ExportFormat

    @Option(help: "Output file (cwm, preds) or folder (mini).")
    var out: String?

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @Option(help: "cwm: drop an episode whose actions reach this estimated Jaccard similarity with a kept one of the same repository.")
    var dedupThreshold = 0.5

    @Flag(help: "cwm: keep near-duplicate episodes.")
    var keepDuplicates = false

    func validate() throws {
        guard dedupThreshold > 0 && dedupThreshold <= 1 else {
            throw ValidationError("--dedup-threshold must be in (0, 1], not \(dedupThreshold).")
        }
    }

    func run() async throws {
        let store = try await openStoreForReading(db)
        if format.isTraceFormat {
            let traces = try await store.traces(batch: run)
            guard !traces.isEmpty else { throw CommandFailure("No traces in batch \(run) in \(db) (forager trace --batch names one).") }
            let (text, written) = try ExportWriter.writeTraces(traces, format: format, out: out)
            Output.progress("export: \(written) of \(traces.count) traces of batch \(run) as \(format.rawValue)"
                + (format == .cwmTrace && written < traces.count ? " (cut traces left out)" : "") + "\n")
            if let text { FileHandle.standardOutput.write(Data(text.utf8)) }
            return
        }
        let data = try await store.exportData(run: run)
        let text: String?
        if format == .cwm && !keepDuplicates {
            let lines = CWMExport.lines(data, deduplicate: NearDuplicateFilter(threshold: dedupThreshold))
            let ended = data.episodes.filter { $0.episode.status.isFinal }.count
            Output.progress("export: \(lines.count) of \(ended) ended episodes kept, \(ended - lines.count) near-duplicates removed\n")
            text = try ExportWriter.writeLines(lines, to: out)
        } else {
            text = try ExportWriter.write(data, format: format, out: out)
        }
        if let text {
            FileHandle.standardOutput.write(Data(text.utf8))
        } else {
            Output.progress("export: wrote \(format.rawValue) for run \(run) to \(out ?? "\(run).mini")\n")
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
