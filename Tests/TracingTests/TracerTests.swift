import ExecutionTraces
import ForagerSupport
import Foundation
import Testing
import TestSupport
import Trajectories

/// The tracer (host python3) on programs with loops, recursion, exceptions, generators, classes
/// and large values: resolving every ".." gives exactly what an independent line tracer sees,
/// and traced runs behave as untraced ones.
@Suite struct TracerTests {
    static let programs = ["loops", "recursion", "exceptions", "generators", "classes", "large"]

    func traceProgram(_ program: URL, in dir: URL, extra: [String] = [], stdin: URL? = nil) throws -> (ProcessRunner.Result, TracerOutput) {
        let out = dir.appendingPathComponent("trace-\(UUID().uuidString.prefix(6)).json")
        let run = try host(["python3", try TracerScript.path, "program", "--file", program.path, "--out", out.path] + extra,
                           in: dir, stdin: stdin)
        let data = try Data(contentsOf: out)
        return (run, try TracerOutput.decode(data, what: program.lastPathComponent))
    }

    @Test(arguments: programs)
    func resolvedStatesMatchAnIndependentTracer(_ name: String) throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = fixtures.appendingPathComponent("programs/\(name).py")
        let (_, output) = try traceProgram(program, in: dir)
        let trace = try #require(output.traces.first)
        #expect(trace.cut == nil)
        #expect(output.tracerErrors == 0)
        let refOut = dir.appendingPathComponent("reference.json")
        try host(["python3", fixtures.appendingPathComponent("reference_tracer.py").path, "program", refOut.path, "512", program.path], in: dir)
        let reference = try JSONDecoder().decode([ReferenceEvent].self, from: Data(contentsOf: refOut))
        #expect(reference.count > 10)
        compare(trace.frames, reference, name)
        // Diffs are used: some local is shown as ".." (unchanged) somewhere.
        #expect(trace.frames.contains { $0.locals?.contains { $0.value == TraceLocal.unchanged } == true })
    }

    @Test(arguments: programs + ["io", "recursion_limit"])
    func tracedRunBehavesAsUntraced(_ name: String) throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = fixtures.appendingPathComponent("programs/\(name).py")
        let input = fixtures.appendingPathComponent("programs/io.input")
        let plain = try host(["python3", program.path, "--flag"], in: dir, stdin: input)
        let (traced, output) = try traceProgram(program, in: dir, extra: ["--", "--flag"], stdin: input)
        #expect(traced.status == plain.status)
        #expect(traced.stdout == plain.stdout)
        #expect(String(decoding: traced.stderr, as: UTF8.self) == String(decoding: plain.stderr, as: UTF8.self))
        #expect(!output.traces.isEmpty)
    }

    @Test func ioProgramExitsWithItsStatusAndTracesItsInput() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (run, output) = try traceProgram(fixtures.appendingPathComponent("programs/io.py"), in: dir,
                                             stdin: fixtures.appendingPathComponent("programs/io.input"))
        #expect(run.status == 3)
        let frames = try #require(output.traces.first).frames
        #expect(frames.contains { $0.locals?.contains { $0.name == "numbers" && $0.value == "[3, 1, 4, 1, 5]" } == true })
        #expect(frames.last?.event == .return)
        #expect(frames.contains { $0.event == .exception && $0.value == "SystemExit(3)" })
    }

    @Test func longLoopIsCutAtMaxEventsAndTheProgramFinishes() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("spin.py")
        try Data("total = 0\nfor i in range(200000):\n    total += i\nprint(total)\n".utf8).write(to: program)
        let (run, output) = try traceProgram(program, in: dir, extra: ["--max-events", "100"])
        #expect(String(decoding: run.stdout, as: UTF8.self) == "19999900000\n")
        let trace = try #require(output.traces.first)
        #expect(trace.cut == "events")
        #expect(trace.frames.count == 100)
    }

    @Test func byteAndDepthLimitsCutWithTheirReason() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("deep.py")
        try Data("def down(n):\n    return 0 if n == 0 else 1 + down(n - 1)\nprint(down(300))\n".utf8).write(to: program)
        let (run, output) = try traceProgram(program, in: dir, extra: ["--max-depth", "20"])
        #expect(String(decoding: run.stdout, as: UTF8.self) == "300\n")
        #expect(output.traces.first?.cut == "depth")
        let (_, bytes) = try traceProgram(program, in: dir, extra: ["--max-bytes", "2000"])
        #expect(bytes.traces.first?.cut == "bytes")
        #expect((bytes.traces.first?.bytes ?? 0) < 2400)
    }

    @Test func reprThatHangsOrRaisesIsRenderedAndBoundedInTime() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("hang.py")
        try Data("""
            class Hang:
                def __repr__(self):
                    while True:
                        pass

            class Fails:
                def __repr__(self):
                    raise KeyError("x")

            def f():
                h = Hang()
                k = Fails()
                return 1

            print(f())

            """.utf8).write(to: program)
        let clock = ContinuousClock.now
        let (run, output) = try traceProgram(program, in: dir, extra: ["--repr-seconds", "0.05"])
        #expect(ContinuousClock.now - clock < .seconds(20))
        #expect(String(decoding: run.stdout, as: UTF8.self) == "1\n")
        let values = output.traces.first?.frames.flatMap { $0.locals ?? [] }.map(\.value) ?? []
        #expect(values.contains("<repr timed out: Hang>"))
        #expect(values.contains("<repr raised KeyError: Fails>"))
    }

    @Test func nonUTF8SourceAndTextAreRendered() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("latin.py")
        var bytes = Data("# -*- coding: latin-1 -*-\ndef f():\n    s = '".utf8)
        bytes.append(0xE9)  // é in latin-1
        bytes.append(Data("'\n    b = s.encode('utf-8', 'surrogateescape') + b'\\xff'\n    t = b.decode('utf-8', 'surrogateescape')\n    return len(t)\nprint(f())\n".utf8))
        try bytes.write(to: program)
        let (run, output) = try traceProgram(program, in: dir)
        #expect(run.status == 0)
        let frames = try #require(output.traces.first).frames
        #expect(frames.contains { $0.source == "    s = '\u{E9}'" })
        #expect(frames.flatMap { $0.locals ?? [] }.contains { $0.name == "t" && $0.value == "'\u{E9}\\udcff'" })
    }

    @Test func largeValuesAreCutWithAMark() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, output) = try traceProgram(fixtures.appendingPathComponent("programs/large.py"), in: dir, extra: ["--value-chars", "40"])
        let data = try #require(output.traces.first?.frames.flatMap { $0.locals ?? [] }.first { $0.name == "data" && $0.value != ".." })
        #expect(data.value == String("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13".prefix(40)) + "\u{2026}")
    }
}
