import Foundation

public struct GenerationOptions: Sendable {
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Token ids that end generation (included in the result, as CWM does). nil: the tokenizer's
    /// EOS and end-of-turn tokens.
    public var stopIds: Set<Int>?
    /// Generation also ends once the text contains one of these (the text is cut before it).
    public var stopStrings: [String]
    /// Only text this accepts is generated (special tokens other than stop tokens never are).
    public var constraint: (any TokenConstraint)?

    public init(maxTokens: Int = 256, sampling: SamplingParameters = .greedy, stopIds: Set<Int>? = nil, stopStrings: [String] = [],
                constraint: (any TokenConstraint)? = nil) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopIds = stopIds
        self.stopStrings = stopStrings
        self.constraint = constraint
    }
}

public struct GenerationResult: Sendable {
    public enum StopReason: String, Sendable { case stopToken = "stop", stopString = "stop_string", length = "length", cancelled }
    public var tokens: [Int]
    /// Decoded text of the generated tokens, without a final stop token and cut at a stop string.
    public var text: String
    public var stopReason: StopReason
    public var promptTokens: Int
    /// Prompt tokens actually run (the rest came from the cache).
    public var prefilledTokens: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double
}

extension Session {
    /// Generates a continuation of `prompt`, reusing the cached prefix. `onText` receives text
    /// as it is decoded (complete UTF-8 only) and may return false to stop.
    public func generate(prompt: [Int], options: GenerationOptions = .init(),
                         onText: ((String) -> Bool)? = nil) throws -> GenerationResult {
        let tok = model.tokenizer
        let stops = options.stopIds ?? tok.stopIds
        var sampler = Sampler(options.sampling)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let cachedBefore = commonPrefix(prompt)
        var logits = try prefillInPlace(prompt: prompt)
        let t1 = DispatchTime.now().uptimeNanoseconds
        var out: [Int] = []
        var streamer = TextStreamer()
        var text = ""
        var reason = GenerationResult.StopReason.length
        var sent = 0
        var bytes: [UInt8] = []  // generated so far, for the constraint
        loop: while out.count < options.maxTokens {
            let next: Int
            if let constraint = options.constraint {
                let allowed = { (id: Int) -> Bool in
                    if stops.contains(id) { return constraint.verdict(bytes) == .complete }
                    return !tok.isSpecial[id] && constraint.verdict(bytes + tok.tokenBytes[id]) != .invalid
                }
                guard let chosen = sampler.sample(logits, allowed: allowed) else { break }
                next = chosen
                bytes += tok.tokenBytes[next]
            } else {
                next = sampler.sample(logits)
            }
            out.append(next)
            if stops.contains(next) { reason = .stopToken; break }
            text += streamer.push(tok.isSpecial[next] ? Array(tok.tokenBytes[next]) : tok.tokenBytes[next])
            for s in options.stopStrings where !s.isEmpty {
                if let r = text.range(of: s) {
                    text = String(text[..<r.lowerBound])
                    reason = .stopString
                    break loop
                }
            }
            // Hold back a tail that could still become a stop string.
            let hold = options.stopStrings.map { $0.count - 1 }.max() ?? 0
            if let onText, text.count - hold > sent {
                let upto = text.index(text.startIndex, offsetBy: text.count - hold)
                let chunk = String(text[text.index(text.startIndex, offsetBy: sent)..<upto])
                sent = text.count - hold
                if !onText(chunk) { reason = .cancelled; break }
            }
            if out.count == options.maxTokens || tokens.count >= contextLength { break }
            logits = try evaluateInPlace([next])
        }
        if reason != .stopString { text += streamer.flush() }
        if let onText, text.count > sent, reason != .cancelled {
            _ = onText(String(text[text.index(text.startIndex, offsetBy: sent)...]))
        }
        let t2 = DispatchTime.now().uptimeNanoseconds
        return GenerationResult(tokens: out, text: text, stopReason: reason, promptTokens: prompt.count,
                                prefilledTokens: prompt.count - cachedBefore, prefillSeconds: Double(t1 - t0) / 1e9,
                                decodeSeconds: Double(t2 - t1) / 1e9)
    }

    /// How many leading tokens of `prompt` the cache already holds (at most all but the last).
    public func commonPrefix(_ prompt: [Int]) -> Int {
        var n = 0
        while n < min(tokens.count, prompt.count) && tokens[n] == prompt[n] { n += 1 }
        return min(n, prompt.count - 1)
    }
}
