import ForagerSupport

/// The think split of spec §1.3 step 5: only the text after the first end-of-thinking marker
/// is parsed for a tool call.
public enum ThinkSplit {
    /// The thinking-end marker in think-tag mode.
    public static let thinkTagEnd = "</think>"
    /// The thinking-end marker in think-token mode (the special token's literal text).
    public static let thinkTokenEnd = "<|reasoning_thinking_end|>"

    /// The answer part and how many markers the action holds. The answer is the text after the
    /// first marker, or the whole action when there is none.
    public static func split(_ action: String, thinkingEnd marker: String) -> (answer: String, markerCount: Int) {
        let text = PythonText.scalars(action)
        let needle = PythonText.scalars(marker)
        guard !needle.isEmpty, let first = Occurrences.first(of: needle, in: text) else {
            return (action, 0)
        }
        let count = Occurrences.countNonOverlapping(of: needle, in: text)
        return (PythonText.string(text[(first + needle.count)...]), count)
    }

    /// The answer part, or CWM's FormatError when the action does not hold exactly one marker.
    public static func answer(from action: String, thinkingEnd marker: String) throws(FormatError) -> String {
        let (answer, count) = split(action, thinkingEnd: marker)
        guard count == 1 else {
            throw FormatError("Expected exactly one thinking end token, got \(count)")
        }
        return answer
    }
}
