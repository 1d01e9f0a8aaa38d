import Foundation

/// CWM's trace-prediction token text (prompting guide, "Trace Prediction"; `demos/cwmdbg.py`):
/// `<|begin_of_text|><|trace_context_start|>` CONTEXT `<|frame_sep|>`, then every frame followed
/// by `<|frame_sep|>`, then `<|end_of_text|>` when the trace is complete (execution left the entry).
public enum CWMTraceText {
    public static let beginOfText = "<|begin_of_text|>"
    public static let endOfText = "<|end_of_text|>"
    public static let contextStart = "<|trace_context_start|>"
    public static let frameSeparator = "<|frame_sep|>"
    public static let actionSeparator = "<|action_sep|>"
    public static let argumentSeparator = "<|arg_sep|>"
    public static let entryMarker = "  # << START_OF_TRACE"

    public static func eventToken(_ event: TraceEvent) -> String {
        switch event {
        case .call: return "<|call_sep|>"
        case .line: return "<|line_sep|>"
        case .return: return "<|return_sep|>"
        case .exception: return "<|exception_sep|>"
        }
    }

    /// The prompt: BOS, the context token, the context, the frame separator.
    public static func prompt(context: String) -> String {
        beginOfText + contextStart + context + frameSeparator
    }

    /// One frame without its trailing `<|frame_sep|>`.
    public static func frame(_ frame: TraceFrame) -> String {
        switch frame.event {
        case .call, .line:
            return eventToken(frame.event) + localsJSON(frame.locals ?? []) + actionSeparator + frame.source
        case .return, .exception:
            return eventToken(frame.event) + actionSeparator + frame.source + argumentSeparator
                + PythonJSON.string(frame.value ?? "None")
        }
    }

    /// The whole trace as one text: the prompt, the frames, EOS when complete.
    public static func document(context: String, frames: [TraceFrame], complete: Bool) -> String {
        var out = prompt(context: context)
        for f in frames { out += frame(f) + frameSeparator }
        if complete { out += endOfText }
        return out
    }

    /// Locals as `json.dumps` writes a dict of strings (insertion order, `", "` and `": "`, ASCII).
    public static func localsJSON(_ locals: [TraceLocal]) -> String {
        "{" + locals.map { PythonJSON.string($0.name) + ": " + PythonJSON.string($0.value) }.joined(separator: ", ") + "}"
    }

    /// The source with the entry marker appended to line `line` (1-based).
    public static func markEntry(source: String, line: Int) -> String {
        var lines = source.components(separatedBy: "\n")
        guard line >= 1, line <= lines.count else { return source }
        var text = lines[line - 1]
        let carriageReturn = text.hasSuffix("\r")
        if carriageReturn { text.removeLast() }
        lines[line - 1] = text + entryMarker + (carriageReturn ? "\r" : "")
        return lines.joined(separator: "\n")
    }
}

/// Python's `json.dumps` of a string with its defaults (`ensure_ascii=True`).
public enum PythonJSON {
    public static func string(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }

    /// Parses what `string` writes (and any JSON string literal) back; nil when it is not one.
    public static func parseString(_ text: String) -> String? {
        guard let data = "[\(text)]".data(using: .utf8),
              let array = try? JSONSerialization.jsonObject(with: data) as? [Any], array.count == 1 else { return nil }
        return array[0] as? String
    }
}
