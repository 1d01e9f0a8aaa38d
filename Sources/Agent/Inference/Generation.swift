import Foundation

public struct GenerationOptions: Sendable {
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Token ids that end generation (included in the result, as CWM does). nil: the tokenizer's
    /// EOS and end-of-turn tokens.
    public var stopIds: Set<Int>?
    /// Generation also ends once the text contains one of these (the text is cut before it).
    public var stopStrings: [String]
    /// Generation also ends right after this marker (kept in the text, with the rest of the token
    /// that completed it): an agent's turn that ends with its tool call.
    public var endAfter: TextEnd?
    /// Only text this accepts is generated (special tokens other than stop tokens never are).
    public var constraint: (any TokenConstraint)?

    public init(maxTokens: Int = 256, sampling: SamplingParameters = .greedy, stopIds: Set<Int>? = nil, stopStrings: [String] = [],
                endAfter: TextEnd? = nil, constraint: (any TokenConstraint)? = nil) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopIds = stopIds
        self.stopStrings = stopStrings
        self.endAfter = endAfter
        self.constraint = constraint
    }
}

public struct GenerationResult: Sendable {
    public enum StopReason: String, Sendable {
        case stopToken = "stop", stopString = "stop_string", endMarker = "end_marker", length = "length", cancelled
    }
    public var tokens: [Int]
    /// Decoded text of the generated tokens, without a final stop token and cut at a stop string
    /// (after an end marker it is all the tokens' text).
    public var text: String
    public var stopReason: StopReason
    public var promptTokens: Int
    /// Prompt tokens actually run (the rest came from the cache).
    public var prefilledTokens: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double
}

/// One generation as a sequence of steps: the prompt is prefilled when it is made, then each
/// `advance(logits)` samples the next token from the logits after the last one and says whether
/// that token must be run next (`Session.generate` runs it alone; `Session.decodeBatch` runs the
/// next tokens of several generations in one forward pass).
public struct Generation {
    public let session: Session
    let options: GenerationOptions
    let onText: ((String) -> Bool)?
    private let stops: Set<Int>
    private var sampler: Sampler
    private let promptCount: Int, cachedBefore: Int
    private let t0: UInt64, t1: UInt64
    private var out: [Int] = []
    private var streamer = TextStreamer()
    private var text = ""
    private var reason = GenerationResult.StopReason.length
    private var sent = 0
    private var bytes: [UInt8] = []  // generated so far, for the constraint
    private var forced: [Int] = []  // the constraint's closing, written as the budget runs out
    private var endSearch: TextEnd.Search?
    private var finished = false

    /// Prefills `prompt` (reusing the session's cached prefix) and returns the generation with
    /// the logits its first step samples from (valid until the session's next call).
    /// A prefill done in chunks (`Session.evaluate` of the prompt's first parts) passes when it
    /// began and what was cached then, so the result counts the whole prefill.
    public static func start(_ session: Session, prompt: [Int], options: GenerationOptions,
                             onText: ((String) -> Bool)? = nil, prefillBegan: (nanoseconds: UInt64, cached: Int)? = nil)
        throws -> (Generation, UnsafeBufferPointer<Float>) {
        let t0 = prefillBegan?.nanoseconds ?? DispatchTime.now().uptimeNanoseconds
        let cached = prefillBegan?.cached ?? session.commonPrefix(prompt)
        let logits = try session.prefillInPlace(prompt: prompt)
        let generation = Generation(session: session, options: options, onText: onText, prompt: prompt.count, cached: cached,
                                    t0: t0, t1: DispatchTime.now().uptimeNanoseconds)
        return (generation, logits)
    }

    private init(session: Session, options: GenerationOptions, onText: ((String) -> Bool)?, prompt: Int, cached: Int, t0: UInt64, t1: UInt64) {
        self.session = session
        self.options = options
        self.onText = onText
        stops = options.stopIds ?? session.model.tokenizer.stopIds
        sampler = Sampler(options.sampling)
        endSearch = options.endAfter.map(TextEnd.Search.init)
        promptCount = prompt
        cachedBefore = cached
        self.t0 = t0
        self.t1 = t1
        if options.maxTokens <= 0 { finished = true }
    }

    public var isFinished: Bool { finished }

    /// How close to the token budget a constrained generation starts asking for its closing.
    static let closingWindow = 16

    /// Samples the next token from `logits`; returns it when it must be evaluated before the next
    /// step, nil when the generation is over.
    public mutating func advance(_ logits: UnsafeBufferPointer<Float>) -> Int? {
        guard !finished else { return nil }
        let tok = session.model.tokenizer
        let next: Int
        if let constraint = options.constraint {
            let left = options.maxTokens - out.count
            if forced.isEmpty, left <= Self.closingWindow, constraint.verdict(bytes) == .viable,
               let close = constraint.closing(bytes) {
                let ids = tok.encode(String(decoding: close, as: UTF8.self))
                // One token to spare: the model's next token could otherwise make the closing longer
                // than what is left.
                if !ids.isEmpty, ids.count + 1 >= left { forced = ids }
            }
            if !forced.isEmpty {
                next = forced.removeFirst()
            } else {
                let stops = self.stops, bytes = self.bytes
                let allowed = { (id: Int) -> Bool in
                    if stops.contains(id) { return constraint.verdict(bytes) == .complete }
                    return !tok.isSpecial[id] && constraint.verdict(bytes + tok.tokenBytes[id]) != .invalid
                }
                guard let chosen = sampler.sample(logits, allowed: allowed) else { return finish() }
                next = chosen
            }
            self.bytes += tok.tokenBytes[next]
        } else {
            next = sampler.sample(logits)
        }
        out.append(next)
        if stops.contains(next) { reason = .stopToken; return finish() }
        let fresh = streamer.push(tok.isSpecial[next] ? Array(tok.tokenBytes[next]) : tok.tokenBytes[next])
        text += fresh
        // A stop string not found before can only end in the new text.
        for s in options.stopStrings where !s.isEmpty {
            if let r = text.range(of: s, range: text.tail(fresh.count + s.count)..<text.endIndex) {
                text = String(text[..<r.lowerBound])
                reason = .stopString
                return finish()
            }
        }
        if endSearch?.isReached(in: text, fresh: fresh.count) == true {
            reason = .endMarker
            return finish()
        }
        // Hold back a tail that could still become a stop string.
        let hold = options.stopStrings.map { $0.count - 1 }.max() ?? 0
        if let onText, text.count - hold > sent {
            let upto = text.index(text.startIndex, offsetBy: text.count - hold)
            let chunk = String(text[text.index(text.startIndex, offsetBy: sent)..<upto])
            sent = text.count - hold
            if !onText(chunk) { reason = .cancelled; return finish() }
        }
        if out.count >= options.maxTokens || session.tokens.count >= session.contextLength { return finish() }
        return next
    }

    /// Ends the generation early (cancelled).
    public mutating func cancel() {
        guard !finished else { return }
        reason = .cancelled
        _ = finish()
    }

    private mutating func finish() -> Int? {
        finished = true
        if reason != .stopString { text += streamer.flush() }
        if let onText, text.count > sent, reason != .cancelled {
            _ = onText(String(text[text.index(text.startIndex, offsetBy: sent)...]))
        }
        return nil
    }

    /// The result so far (final once `isFinished`).
    public func result() -> GenerationResult {
        let t2 = DispatchTime.now().uptimeNanoseconds
        return GenerationResult(tokens: out, text: text, stopReason: reason, promptTokens: promptCount,
                                prefilledTokens: promptCount - cachedBefore, prefillSeconds: Double(t1 - t0) / 1e9,
                                decodeSeconds: Double(t2 - t1) / 1e9)
    }
}

extension Session {
    /// Generates a continuation of `prompt`, reusing the cached prefix. `onText` receives text
    /// as it is decoded (complete UTF-8 only) and may return false to stop.
    public func generate(prompt: [Int], options: GenerationOptions = .init(),
                         onText: ((String) -> Bool)? = nil) throws -> GenerationResult {
        var (generation, logits) = try Generation.start(self, prompt: prompt, options: options, onText: onText)
        while let next = generation.advance(logits) {
            logits = try evaluateInPlace([next])
        }
        return generation.result()
    }

    /// How many leading tokens of `prompt` the cache already holds (at most all but the last).
    public func commonPrefix(_ prompt: [Int]) -> Int {
        var n = 0
        while n < min(tokens.count, prompt.count) && tokens[n] == prompt[n] { n += 1 }
        return min(n, prompt.count - 1)
    }
}
