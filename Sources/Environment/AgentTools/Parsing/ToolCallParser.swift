import ForagerSupport

/// CWM's tool-call parser (`parse_tool_calls` with its defaults: non-empty arguments, exactly one
/// call), spec §1.4.
///
/// The reference is the Python regex `<tool:\s([a-zA-Z_]+)>\n(.*?)\n</tool>` with DOTALL and
/// `findall`. It is matched by hand over Unicode scalars so that its exact semantics hold: one
/// whitespace scalar after `tool:`, an ASCII letter/underscore name, `\n` right after `>` and
/// right before `</tool>`, the shortest body, and non-overlapping scanning.
public enum ToolCallParser {
    static let openingTag = PythonText.scalars("<tool:")
    static let closingTag = PythonText.scalars("</tool>")
    static let bodyTerminator = PythonText.scalars("\n</tool>")

    /// Parses the answer part of a turn into its single tool call.
    ///
    /// Checks run in CWM's order: more than one call, tag-count mismatch over the whole answer,
    /// no call, whitespace-only body.
    public static func parse(_ answer: String) throws(FormatError) -> ToolCall {
        let text = PythonText.scalars(answer)
        let calls = findAll(in: text)

        if calls.count > 1 {
            let names = calls.map(\.name).joined(separator: ", ")
            throw FormatError(
                "Expected one tool call, but found \(calls.count): \(names). "
                    + "Ensure only one <tool:...></tool> block is present in the response.")
        }

        let openings = Occurrences.countNonOverlapping(of: openingTag, in: text)
        let closings = Occurrences.countNonOverlapping(of: closingTag, in: text)
        if calls.count != openings || calls.count != closings {
            throw FormatError(
                "Mismatch in tool tag counts: found \(calls.count) tool calls via regex, "
                    + "but counted \(openings) opening tags and \(closings) closing tags.")
        }

        guard let call = calls.first else {
            throw FormatError("No tool calls found")
        }
        if PythonText.isBlank(call.input) {
            throw FormatError(
                "Tool '\(call.name)' requires non-empty arguments, but received empty or whitespace-only input.")
        }
        return call
    }

    /// Steps 5 and 6 of a turn (spec §1.3): the think split when `thinkingEnd` is given (the
    /// marker-count error comes first), then parsing of the answer.
    public static func parseTurn(_ action: String, thinkingEnd: String?) throws(FormatError) -> ToolCall {
        guard let thinkingEnd else { return try parse(action) }
        return try parse(try ThinkSplit.answer(from: action, thinkingEnd: thinkingEnd))
    }

    /// Every regex match, left to right and non-overlapping (Python's `re.findall`).
    static func findAll(in text: [Unicode.Scalar]) -> [ToolCall] {
        var calls: [ToolCall] = []
        var position = 0
        while let candidate = Occurrences.first(of: openingTag, in: text, from: position) {
            if let (call, end) = match(in: text, at: candidate) {
                calls.append(call)
                position = end
            } else {
                position = candidate + 1
            }
        }
        return calls
    }

    /// Tries the regex at `start`, where `text[start...]` begins with `<tool:`.
    private static func match(in text: [Unicode.Scalar], at start: Int) -> (ToolCall, end: Int)? {
        var i = start + openingTag.count
        guard i < text.count, PythonText.isSpace(text[i]) else { return nil }
        i += 1
        let nameStart = i
        while i < text.count, isNameScalar(text[i]) { i += 1 }
        // The name is a maximal run of name scalars, none of which is `>`, so no shorter
        // (backtracked) name could be followed by `>` either.
        guard i > nameStart, i + 1 < text.count, text[i] == ">", text[i + 1] == "\n" else { return nil }
        let name = PythonText.string(text[nameStart..<i])
        let bodyStart = i + 2
        guard let bodyEnd = Occurrences.first(of: bodyTerminator, in: text, from: bodyStart) else {
            return nil
        }
        let body = PythonText.string(text[bodyStart..<bodyEnd])
        return (ToolCall(name: name, input: body), bodyEnd + bodyTerminator.count)
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "_": return true
        default: return false
        }
    }
}
