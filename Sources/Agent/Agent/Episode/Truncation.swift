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
        if side == .left, let bounded = boundedLeftTruncation(message, to: maxTokens) { return bounded }
        return fullyTruncated(message, to: maxTokens, side: side)
    }

    /// The rule above applied to the whole body (the reference; linear in the body's length).
    func fullyTruncated(_ message: ChatMessage, to maxTokens: Int, side: TruncationSide) -> ChatMessage {
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

    /// Left truncation of a body far longer than what is kept (a 50 MB issue) without tokenizing
    /// all of it: only the body's tail is tokenized, a tail of `(maxTokens + margin) × 64` bytes,
    /// which holds many more tokens than are kept, so the kept tokens are the same as the whole
    /// body's (a cut changes tokens only near itself, `margin` tokens away from what is kept).
    /// Nil when the body is short enough to do it whole, or when the tail turns out to hold too
    /// few tokens for that argument (then the whole body is tokenized after all).
    func boundedLeftTruncation(_ message: ChatMessage, to maxTokens: Int) -> ChatMessage? {
        let margin = 512
        let limit = (max(maxTokens, 0) + margin) * 64
        let utf8 = message.body.utf8
        guard utf8.count > limit else { return nil }
        // The last `limit` bytes, from the next line start (or past a split character).
        var tail = Substring(String(decoding: utf8.suffix(limit), as: UTF8.self))
        if let newline = tail.prefix(4096).firstIndex(of: "\n") {
            tail = tail[tail.index(after: newline)...]
        } else {
            tail = tail.dropFirst(4)
        }
        while let first = tail.first, first.isWhitespace { tail = tail.dropFirst() }
        var cut = message
        cut.body = String(tail)
        let body = encode(cut.body)
        let keep = maxTokens - (tokenCount(cut) - body.count) - encode("[...]").count
        guard keep > 0, body.count >= keep + margin else { return nil }
        cut.body = "[...]" + decode(Self.pythonSuffix(body, keep))
        return cut
    }
}
