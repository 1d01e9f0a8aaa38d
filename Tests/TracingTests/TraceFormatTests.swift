import Foundation
import Testing
import TestSupport
import Trajectories

/// CWM's token layout, the store round trip and the exports of a small trace.
@Suite struct TraceFormatTests {
    static let source = "def f(c):\n    n = 1\n    return n\n"
    static let frames = [
        TraceFrame(event: .call, file: "m.py", line: 1, source: "def f(c):", depth: 0, call: 0, locals: [.init(name: "c", value: "'é\"'")]),
        TraceFrame(event: .line, file: "m.py", line: 2, source: "    n = 1", depth: 0, call: 0, locals: [.init(name: "c", value: "..")]),
        TraceFrame(event: .line, file: "m.py", line: 3, source: "    return n", depth: 0, call: 0,
                   locals: [.init(name: "c", value: ".."), .init(name: "n", value: "1")]),
        TraceFrame(event: .return, file: "m.py", line: 3, source: "    return n", depth: 0, call: 0, value: "1"),
    ]

    static func record(id: String = "b.0", cut: String? = nil) -> TraceRecord {
        TraceRecord(id: id, batch: "b", kind: .repo, repo: "demo", commit: "abc", test: "t::x", file: "m.py", function: "f", line: 1,
                    context: CWMTraceText.markEntry(source: source, line: 1), cut: cut, seconds: 0.01,
                    createdAt: Date(timeIntervalSince1970: 1000), frames: frames)
    }

    @Test func tokenTextFollowsThePromptingGuide() {
        let r = Self.record()
        #expect(r.context == "def f(c):  # << START_OF_TRACE\n    n = 1\n    return n\n")
        let text = CWMTraceText.document(context: r.context, frames: r.frames, complete: true)
        let expected = "<|begin_of_text|><|trace_context_start|>def f(c):  # << START_OF_TRACE\n    n = 1\n    return n\n<|frame_sep|>"
            + "<|call_sep|>{\"c\": \"'\\u00e9\\\"'\"}<|action_sep|>def f(c):<|frame_sep|>"
            + "<|line_sep|>{\"c\": \"..\"}<|action_sep|>    n = 1<|frame_sep|>"
            + "<|line_sep|>{\"c\": \"..\", \"n\": \"1\"}<|action_sep|>    return n<|frame_sep|>"
            + "<|return_sep|><|action_sep|>    return n<|arg_sep|>\"1\"<|frame_sep|>"
            + "<|end_of_text|>"
        #expect(text == expected)
        #expect(!CWMTraceText.document(context: r.context, frames: r.frames, complete: false).hasSuffix("<|end_of_text|>"))
    }

    @Test func pythonJSONEscapesAsJsonDumps() {
        #expect(PythonJSON.string("a\"b\\c\n\t\u{7F}é😀") == "\"a\\\"b\\\\c\\n\\t\\u007f\\u00e9\\ud83d\\ude00\"")
        #expect(PythonJSON.parseString(PythonJSON.string("x\u{1}é")) == "x\u{1}é")
    }

    @Test func resolvingFollowsTheCallOfEachFrame() {
        var frames = Self.frames
        // A nested call between two frames of call 0 does not disturb its state.
        frames.insert(TraceFrame(event: .call, file: "m.py", line: 1, source: "def f(c):", depth: 1, call: 1,
                                 locals: [.init(name: "c", value: "'z'")]), at: 2)
        frames.insert(TraceFrame(event: .return, file: "m.py", line: 3, source: "    return n", depth: 1, call: 1, value: "1"), at: 3)
        let states = TraceStates.resolve(frames)
        #expect(states[1] == [.init(name: "c", value: "'é\"'")])
        #expect(states[2] == [.init(name: "c", value: "'z'")])
        #expect(states[3] == nil)
        #expect(states[4] == [.init(name: "c", value: "'é\"'"), .init(name: "n", value: "1")])
        #expect(TraceStates.changed(frames[4]) == ["n"])
    }

    @Test func storeRoundTripAndExports() async throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try await TrajectoryStore.open(at: dir.appendingPathComponent("t.sqlite").path)
        try await store.recordTraces([Self.record(), Self.record(id: "b.1", cut: "events")])
        let back = try await store.trace(id: "b.0")
        #expect(back == Self.record())
        #expect(try await store.trace(id: "nope") == nil)
        let batch = try await store.traces(batch: "b")
        #expect(batch.map(\.id) == ["b.0", "b.1"])
        #expect(try await store.traceSummaries(batch: "b").map(\.cut) == [nil, "events"])

        let (cwm, written) = try ExportWriter.writeTraces(batch, format: .cwmTrace, out: nil)
        #expect(written == 1)  // the cut trace is left out
        let line = try #require(cwm?.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["text"] as? String == CWMTraceText.document(context: Self.record().context, frames: Self.frames, complete: true))
        #expect(object["test"] as? String == "t::x")

        let (json, all) = try ExportWriter.writeTraces(batch, format: .traceJSON, out: nil)
        #expect(all == 2)
        let first = try #require(json?.split(separator: "\n").first)
        #expect(first.contains("\"locals\": {\"c\": \"..\", \"n\": \"1\"}"))
        #expect(first.contains("\"cut\": null"))
    }
}
