import Foundation
import Trajectories

/// `forager show TRACE_ID`: a trace step by step: each frame's kind and place, the source around
/// its line with the line marked, then the locals (resolved through ".."; changed ones starred)
/// or the returned value / exception.
struct TraceTranscript {
    let trace: TraceRecord
    let style: TranscriptStyle

    func render() -> String {
        var out: [String] = []
        let t = trace
        out.append(style.heading("trace \(t.id)") + "  \(t.kind.rawValue)"
                   + (t.repo.map { " · \($0)" } ?? "") + (t.commit.map { " @ \($0.prefix(12))" } ?? ""))
        out.append(style.label("entry") + " \(t.file):\(t.line) \(t.function)" + (t.test.map { "  ·  test \($0)" } ?? "")
                   + (t.taskID.map { "  ·  task \($0) (\(t.variant ?? "-"))" } ?? ""))
        out.append(style.label("frames") + " \(t.frames.count)" + String(format: ", %.3f s traced", t.seconds)
                   + (t.cut.map { style.bad("  cut: \($0)") } ?? ""))
        let context = t.context.components(separatedBy: "\n")
        let states = TraceStates.resolve(t.frames)
        for (i, frame) in t.frames.enumerated() {
            out.append("")
            out.append(style.tool("[\(i + 1)/\(t.frames.count)] \(frame.event.rawValue)") + style.dim("  \(frame.file):\(frame.line)  depth \(frame.depth)  call \(frame.call)"))
            if frame.file == t.file, frame.line >= 1, frame.line <= context.count {
                for n in max(1, frame.line - 1)...min(context.count, frame.line + 1) {
                    let text = "\(String(format: "%5d", n)) | \(context[n - 1])"
                    out.append(n == frame.line ? style.label("→" + text) : style.dim(" " + text))
                }
            } else {
                out.append(style.label("→      | \(frame.source)"))
            }
            if let value = frame.value {
                out.append("   " + (frame.event == .exception ? style.bad("raised ") : style.good("returned ")) + value)
            }
            if let resolved = states[i], !resolved.isEmpty {
                let changed = TraceStates.changed(frame)
                for local in resolved {
                    let mark = changed.contains(local.name) ? style.good("*") : " "
                    out.append("   \(mark) \(local.name) = \(local.value)")
                }
            }
        }
        out.append("")
        out.append(t.isComplete ? style.dim("<end of trace: execution left the entry>") : style.bad("<trace cut: \(t.cut ?? "")>"))
        return out.joined(separator: "\n")
    }
}
