import Foundation
import Testing
import TestSupport
import Trajectories
@testable import Viewer

/// `forager view`'s trace pages: the list by batch, one frame at a time with its line marked and
/// its locals resolved, the JSON, and the errors a bad link gets.
@Suite("forager view shows traces step by step", .enabled { await browserTestsEnabled() }, .serialized)
struct TraceViewTests {
    static let source = "def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n"

    static func trace() -> TraceRecord {
        let frames = [
            TraceFrame(event: .call, file: "m.py", line: 1, source: "def total(xs):", depth: 0, call: 0, locals: [.init(name: "xs", value: "[1, 2]")]),
            TraceFrame(event: .line, file: "m.py", line: 2, source: "    s = 0", depth: 0, call: 0, locals: [.init(name: "xs", value: "..")]),
            TraceFrame(event: .line, file: "m.py", line: 3, source: "    for x in xs:", depth: 0, call: 0,
                       locals: [.init(name: "xs", value: ".."), .init(name: "s", value: "0")]),
            TraceFrame(event: .line, file: "m.py", line: 4, source: "        s += x", depth: 0, call: 0,
                       locals: [.init(name: "xs", value: ".."), .init(name: "s", value: ".."), .init(name: "x", value: "1")]),
            TraceFrame(event: .return, file: "m.py", line: 5, source: "    return s", depth: 0, call: 0, value: "<b>3</b>"),
        ]
        return TraceRecord(id: "tb.demo__m-1.bug.0", batch: "tb", kind: .task, repo: "demo/m", commit: String(repeating: "a", count: 40),
                           taskID: "demo__m-1", variant: "bug", test: "tests/test_m.py::test_total", file: "m.py", function: "total",
                           line: 1, context: CWMTraceText.markEntry(source: source, line: 1), seconds: 0.01, frames: frames)
    }

    func get(_ url: String) async throws -> (code: Int, body: String) {
        let out = try await runProcess("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", url], timeout: 60)
        let code = Int(out.output.split(separator: "\n").last ?? "") ?? 0
        return (code, String(out.output.dropLast(String(code).count + 1)))
    }

    @Test("the traces list, a frame with its line and resolved locals, the JSON, and named errors")
    func tracePages() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.url.appendingPathComponent("t.sqlite").path)
        try await store.recordTraces([Self.trace()])
        try await withViewer(store) { base in
            let list = try await get(base + "/traces")
            #expect(list.code == 200)
            #expect(list.body.contains("data-trace-id=\"tb.demo__m-1.bug.0\""))
            #expect(list.body.contains("demo__m-1 (bug)"))

            let page = try await get(base + "/trace?id=tb.demo__m-1.bug.0&step=4")
            #expect(page.code == 200)
            #expect(page.body.contains("frame 4 of 5"))
            // The frame's line is the one marked, and ".." is resolved through the earlier frames.
            #expect(page.body.contains("<mark class=\"current-line\">    4          s += x</mark>"))
            #expect(page.body.contains("<td><code>xs</code></td><td><code>[1, 2]</code></td>"))
            #expect(page.body.contains("<tr class=\"changed\"><td>*</td><td><code>x</code></td><td><code>1</code></td></tr>"))
            #expect(page.body.contains("<tr class=\"same\"><td></td><td><code>s</code></td><td><code>0</code></td></tr>"))
            #expect(page.body.contains("step=3") && page.body.contains("step=5"))

            let last = try await get(base + "/trace?id=tb.demo__m-1.bug.0&step=5")
            #expect(last.body.contains("returned</span> <code>&lt;b&gt;3&lt;/b&gt;</code>"))  // escaped

            let json = try JSONSerialization.jsonObject(with: Data(try await get(base + "/api/trace?id=tb.demo__m-1.bug.0").body.utf8)) as? [String: Any]
            #expect(json?["task_id"] as? String == "demo__m-1")
            let resolved = json?["resolved_locals"] as? [Any]
            #expect((resolved?[3] as? [[String]])?.first == ["xs", "[1, 2]"])
            #expect((json?["frames"] as? [Any])?.count == 5)

            let missing = try await get(base + "/trace?id=nope")
            #expect(missing.code == 404 && missing.body.contains("no trace &#39;nope&#39;"))
            let bad = try await get(base + "/trace?id=tb.demo__m-1.bug.0&step=zero")
            #expect(bad.code == 400 && bad.body.contains("step=zero"))
            try await Browser.screenshot(base + "/trace?id=tb.demo__m-1.bug.0&step=4", name: "trace")
        }
    }
}
