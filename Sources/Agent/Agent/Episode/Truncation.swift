/// CWM's message truncation by tokens (spec §1.6).
public enum TruncationSide: Sendable {
    /// Keep the head, then `[...]` (tool results, format-error user messages). QUIRK kept: the
    /// budget notice at the end of a tool body is lost.
    case right
    /// `[...]`, then keep the tail (the initial user prompt).
    case left
}

extension ChatFormat {
    /// The message cut so that its full encoding (header, body, end) fits `maxTokens`:
    /// `new_body_len = maxTokens − (total − len(encode(body))) − len(encode("[...]"))`, the kept body
    /// tokens decoded back to text, `[...]` joined without a newline. Slices follow Python's, as in
    /// CWM (a negative length counts from the other end).
    public func truncated(_ message: ChatMessage, to maxTokens: Int, side: TruncationSide) -> ChatMessage {
        let total = tokenCount(message)
        guard total > maxTokens else { return message }
        let body = encode(message.body)
        let keep = maxTokens - (total - body.count) - encode("[...]").count
        var truncated = message
        switch side {
        case .right:
            truncated.body = decode(Self.pythonPrefix(body, keep)) + "[...]"
        case .left:
            truncated.body = "[...]" + decode(Self.pythonSuffix(body, keep))
        }
        return truncated
    }

    /// `tokens[:n]`.
    static func pythonPrefix(_ tokens: [Int], _ n: Int) -> [Int] {
        let end = n >= 0 ? min(n, tokens.count) : max(0, tokens.count + n)
        return Array(tokens[..<end])
    }

    /// `tokens[-n:]`; `n == 0` keeps everything, as `tokens[-0:]` does.
    static func pythonSuffix(_ tokens: [Int], _ n: Int) -> [Int] {
        let start = n > 0 ? max(0, tokens.count - n) : min(tokens.count, -n)
        return Array(tokens[start...])
    }
}
