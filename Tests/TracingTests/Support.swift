import ExecutionTraces
import ForagerSupport
import Foundation
import Testing
import TestSupport
import Trajectories

let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

func scratchDirectory() throws -> URL { try TempDir(prefix: "forager-traces-").url }

/// Runs a host program (stdout and stderr apart, optional stdin file); stopped with SIGKILL after `timeout`.
func host(_ arguments: [String], in directory: URL, stdin: URL? = nil, timeout: Double = 120) throws -> ProcessRunner.Result {
    let input = try stdin.map { try Data(contentsOf: $0) } ?? Data()
    return try ProcessRunner.run(arguments[0], Array(arguments.dropFirst()), currentDirectory: directory, stdin: input,
                                 timeout: .seconds(timeout))
}

/// One event of the reference tracer (full locals, no diffs).
struct ReferenceEvent: Decodable {
    var event: String
    var line: Int
    var function: String
    var locals: [String: String]?
    var localNames: [String]?
    var value: String?
}

/// Checks a trace against the reference: the same events in order, and every frame's locals,
/// with ".." resolved, exactly the reference's full locals (names in the same order).
func compare(_ frames: [TraceFrame], _ reference: [ReferenceEvent], _ what: String) {
    #expect(frames.count == reference.count, "\(what): \(frames.count) frames, the reference saw \(reference.count) events")
    let states = TraceStates.resolve(frames)
    for (i, (frame, ref)) in zip(frames, reference).enumerated() {
        #expect(frame.event.rawValue == ref.event, "\(what) frame \(i): \(frame.event) vs \(ref.event)")
        // A call frame shows the `def` line where Python reports the first decorator's (or 0 for a module).
        let refLine = frame.event == .call && ref.line == 0 ? 1 : ref.line
        let pastDecorators = frame.event == .call && frame.line > refLine
            && frame.source.trimmingCharacters(in: .whitespaces).range(of: #"^(async\s+)?def\b"#, options: .regularExpression) != nil
        #expect(frame.line == refLine || pastDecorators, "\(what) frame \(i) (\(frame.event)): line \(frame.line) vs \(refLine)")
        if let locals = ref.locals {
            let resolved = states[i] ?? []
            #expect(resolved.map(\.name) == (ref.localNames ?? []), "\(what) frame \(i): local names")
            #expect(Dictionary(resolved.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) == locals,
                    "\(what) frame \(i) line \(frame.line): resolved \(resolved) vs \(locals)")
            #expect(!resolved.contains { $0.value == TraceLocal.unchanged }, "\(what) frame \(i): an unresolved '..'")
        } else {
            #expect(frame.value == ref.value, "\(what) frame \(i): value \(frame.value ?? "nil") vs \(ref.value ?? "nil")")
        }
        if i > 0, frame.event != .call, frames[i - 1].call != frame.call, frames[i - 1].event != .return {
            Issue.record("\(what) frame \(i): a frame of call \(frame.call) follows call \(frames[i - 1].call) without a return or call")
        }
    }
}
