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
}
