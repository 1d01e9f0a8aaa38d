import Foundation
import Testing
import TestSupport
import Trajectories

/// `forager trace` as a user runs it: a program on two inputs stored under a batch, resumed
/// without new work, exported as CWM token text and shown step by step.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct TraceCommandTests {
    struct Summary: Decodable {
        let batch: String, traces: Int, cut: Int, skipped: Int, program_runs: Int, same_behaviour: Int
        let traces_per_minute: Double
        let slowdown: Double?
    }

    @Test(.timeLimit(.minutes(10)))
    func traceStoreResumeExportAndShow() async throws {
        try await TestImages.shared.ensure(["python-pytest"])
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = fixtures.appendingPathComponent("programs/io.py").path
        try Data("4 5\n".utf8).write(to: dir.appendingPathComponent("one.txt"))
        try Data("6\n".utf8).write(to: dir.appendingPathComponent("two.txt"))
        let common = ["trace", "--program", program, "--stdin", "one.txt", "--stdin", "two.txt", "--batch", "b1", "--db", "t.sqlite", "--json"]

        let (status, output) = try forager(common, in: dir)
        #expect(status == 0)
        let summary = try JSONDecoder().decode(Summary.self, from: Data(output.utf8))
        #expect(summary.traces == 2 && summary.cut == 0)
        #expect(summary.program_runs == 2 && summary.same_behaviour == 2)
        #expect(summary.traces_per_minute > 0 && (summary.slowdown ?? 0) > 0)

        // The same batch again: the program is already stored.
        let (_, again) = try forager(common, in: dir)
        let resumed = try JSONDecoder().decode(Summary.self, from: Data(again.utf8))
        #expect(resumed.traces == 0 && resumed.skipped == 1)

        let (exportStatus, lines) = try forager(["export", "--run", "b1", "--format", "cwm-trace", "--db", "t.sqlite"], in: dir)
        #expect(exportStatus == 0)
        let texts = lines.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["text"] as? String
        }
        #expect(texts.count == 2)
        for text in texts {
            #expect(text.hasPrefix("<|begin_of_text|><|trace_context_start|>import sys  # << START_OF_TRACE\n"))
            #expect(text.hasSuffix("<|frame_sep|><|end_of_text|>"))
            #expect(text.contains("<|exception_sep|><|action_sep|>sys.exit(3)<|arg_sep|>\"SystemExit(3)\"<|frame_sep|>"))
        }
        #expect(texts.contains { $0.contains("<|arg_sep|>\"[4, 5]\"") })

        let (showStatus, shown) = try forager(["show", "b1.0.0", "--db", "t.sqlite"], in: dir)
        #expect(showStatus == 0)
        #expect(shown.contains("trace b1.0.0"))
        #expect(shown.contains("returned [4, 5]"))
        #expect(shown.contains("* numbers = [4, 5]"))
    }

    struct TaskSummary: Decodable {
        struct Pair: Decodable { let task: String, function: String, bug_trace: String, fix_trace: String, diverges_at: Int? }
        let batch: String, traces: Int, errors: [String], pairs: [Pair]
    }

    struct PredictReport: Decodable {
        struct Report: Decodable {
            let traces: Int, steps: Int, locals_steps: Int
            let well_formed: Double?, line: Double?, frame: Double?
        }
        let model: String, backend: String, report: Report
    }

    /// A demo row traced at the bug and with the fix, then a scripted predictor scored on the
    /// stored traces, every step written to a JSONL file (the real model: TracePredictionTests).
    @Test(.timeLimit(.minutes(10)))
    func tasksTracedThenPredicted() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tasks = packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl").path
        let (status, output) = try forager(["trace", "--tasks", tasks, "--instance-id", "demo__calc-1", "--batch", "tb",
                                            "--db", "t.sqlite", "--json"], in: dir)
        #expect(status == 0, "\(output)")
        let summary = try JSONDecoder().decode(TaskSummary.self, from: Data(output.utf8))
        #expect(summary.errors.isEmpty && summary.traces >= 2)
        #expect(!summary.pairs.isEmpty && summary.pairs.allSatisfy { $0.task == "demo__calc-1" && $0.diverges_at != nil })
        let pair = try #require(summary.pairs.first)

        let (shown, text) = try forager(["show", pair.bug_trace, "--db", "t.sqlite"], in: dir)
        #expect(shown == 0 && text.contains("task demo__calc-1 (bug)"))

        let unknown = try ForagerLauncher.launch(["trace", "--tasks", tasks, "--instance-id", "nope", "--db", "t.sqlite"], in: dir,
                                                 errors: .capture).finish()
        #expect(unknown.status != 0 && unknown.output.contains("no row has instance_id 'nope'"))

        // A scripted predictor (the tiny model's tokenizer counts): a well-formed wrong frame
        // for the bug trace's first step, nothing for the fix trace's.
        let script = "{\"instance_id\": \"\(pair.bug_trace)\", \"turns\": [\"<|line_sep|>{}<|action_sep|>x<|frame_sep|>more\"]}\n"
        try Data(script.utf8).write(to: dir.appendingPathComponent("script.jsonl"))
        let (predicted, json) = try forager(["trace", "predict", "--trace", pair.bug_trace, "--trace", pair.fix_trace, "--scripted", "script.jsonl",
                                             "--model", "tiny", "--steps", "1", "--predictions", "p.jsonl", "--db", "t.sqlite", "--json"], in: dir)
        #expect(predicted == 0, "\(json)")
        let report = try JSONDecoder().decode(PredictReport.self, from: Data(json.utf8))
        #expect(report.backend == "scripted" && report.report.traces == 2 && report.report.steps == 2)
        #expect(report.report.well_formed == 0.5 && report.report.frame == 0 && report.report.line == 0)
        let lines = try String(contentsOf: dir.appendingPathComponent("p.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains("\"predicted\":\"<|line_sep|>{}<|action_sep|>x\"") == true)
        #expect(lines.allSatisfy { $0.contains("\"truth\":\"<|call_sep|>") && $0.contains("\"score\"") })

        let missing = try ForagerLauncher.launch(["trace", "predict", "--batch", "nope", "--model", "tiny", "--db", "t.sqlite"], in: dir,
                                                 errors: .capture).finish()
        #expect(missing.status != 0 && missing.output.contains("no traces in batch 'nope'"))
    }
}
