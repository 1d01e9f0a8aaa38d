import Foundation
import Trajectories

/// What `tracer.py` writes (`--out`): the traces, the source of every entry file, the run's time.
public struct TracerOutput: Decodable, Sendable {
    public struct Trace: Decodable, Sendable {
        public var file: String
        public var function: String
        public var line: Int
        public var test: String?
        public var codeLine: Int?
        public var ordinal: Int?
        public var cut: String?
        public var events: Int
        public var bytes: Int
        public var seconds: Double
        /// pytest mode: whether the trace's test passed.
        public var passed: Bool?
        public var frames: [TraceFrame]

        enum CodingKeys: String, CodingKey {
            case file, function, line, test, cut, events, bytes, seconds, frames, ordinal, passed
            case codeLine = "code_line"
        }
    }

    public var mode: String
    public var seconds: Double
    public var files: [String: String]
    public var traces: [Trace]
    public var tracerErrors: Int
    /// pytest mode: pytest's exit code, the tests run and passed.
    public var exitCode: Int?
    public var tests: Int?
    public var passed: Int?

    enum CodingKeys: String, CodingKey {
        case mode, seconds, files, traces
        case tracerErrors = "tracer_errors"
        case exitCode = "exit_code"
        case tests, passed
    }

    public static func decode(_ data: Data, what: String) throws(TracingError) -> TracerOutput {
        do {
            return try JSONDecoder().decode(TracerOutput.self, from: data)
        } catch {
            throw .helper("cannot read the trace of \(what): \(error)")
        }
    }

    /// The context CWM is prompted with: the entry's file, its `def` line marked.
    public func context(of trace: Trace) -> String {
        CWMTraceText.markEntry(source: files[trace.file] ?? "", line: trace.line)
    }
}
