import Foundation
import Inference

/// What the loop asks a model for: the next assistant turn after `context`.
public struct ModelRequest: Sendable {
    /// The task's instance id (scripted and replayed models look their turns up by it).
    public var instanceID: String
    /// 1 for the first try of an episode; a restarted episode counts up (spec §1.9).
    public var attempt: Int
    /// Which of the run's K samples of the task the episode is (0 for the first).
    public var sample: Int
    /// How many actions this episode has taken before this one (0 for the first turn).
    public var turnIndex: Int
    /// The whole episode so far, ending with the assistant prefix: tokens and their text.
    public var context: TokenizedText
    /// At most this many tokens (CWM's max_gen = max_action_len).
    public var maxTokens: Int
    /// The same episode as messages (system, user, then each action and its observation), for
    /// backends that take messages rather than the rendered context (chat endpoints).
    public var messages: [ChatMessage]
    /// Text that also ends the turn, besides the format's stop tokens (the turn's text is cut
    /// before it): raw completions such as CWM's trace prediction, which stops at `<|frame_sep|>`.
    public var stopStrings: [String]
    /// The turn also ends right after this marker, which stays in it (`--stop-after-tool-call`:
    /// the first `</tool>` after the thinking part). No end-of-turn token follows it: the next
    /// observation closes the turn, as after a turn cut at `maxTokens`. Nil: the model's own end.
    public var endAfter: TextEnd?

    public init(instanceID: String, attempt: Int, turnIndex: Int, context: TokenizedText, maxTokens: Int,
                messages: [ChatMessage] = [], stopStrings: [String] = [], endAfter: TextEnd? = nil, sample: Int = 0) {
        self.instanceID = instanceID
        self.attempt = attempt
        self.sample = sample
        self.turnIndex = turnIndex
        self.context = context
        self.maxTokens = maxTokens
        self.messages = messages
        self.stopStrings = stopStrings
        self.endAfter = endAfter
    }
}

/// One model turn.
public struct ModelAction: Sendable, Hashable {
    /// The turn's text without the stop token (CWM's `action_str`).
    public var text: String
    /// The turn's tokens, cut after the first stop token, which is included.
    public var tokens: [Int]
    /// Whether the turn ended on a stop token (false: cut at `maxTokens`).
    public var endedOnStop: Bool
    /// Context tokens the model read.
    public var promptTokens: Int
    /// Seconds spent reading the prompt and generating.
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// Which endpoint of a fleet produced it (nil for every other backend).
    public var servedBy: String?
    /// Prompt tokens the in-process engine had to run (the rest came from its KV cache); nil
    /// for other backends.
    public var prefilledTokens: Int?

    public init(text: String, tokens: [Int], endedOnStop: Bool, promptTokens: Int, prefillSeconds: Double = 0, decodeSeconds: Double = 0) {
        self.text = text
        self.tokens = tokens
        self.endedOnStop = endedOnStop
        self.promptTokens = promptTokens
        self.prefillSeconds = prefillSeconds
        self.decodeSeconds = decodeSeconds
    }

    /// This action ended at the first of `stops` in its text instead: the text is cut before it.
    public func cut(atFirstOf stops: [String]) -> ModelAction {
        guard let first = stops.filter({ !$0.isEmpty }).compactMap({ text.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound })
        else { return self }
        var action = self
        action.text = String(text[..<first.lowerBound])
        action.endedOnStop = true
        return action
    }

    /// This action ended right after `end`'s marker instead (a backend that could not stop there
    /// itself): text and tokens stop with the marker, no end-of-turn token follows. The tokens
    /// are never more than before (an endpoint's text can run past its tokens cut at maxTokens).
    public func ended(at end: TextEnd?, format: some ChatFormat) -> ModelAction {
        guard let end, let upto = end.end(in: text) else { return self }
        var action = self
        action.text = String(text[..<upto])
        action.tokens = Array(format.encode(action.text).prefix(tokens.count))
        action.endedOnStop = true
        return action
    }

    /// Cuts generated tokens after the first stop token and decodes the text without it.
    public static func cut(_ generated: [Int], format: some ChatFormat, promptTokens: Int,
                           prefillSeconds: Double = 0, decodeSeconds: Double = 0) -> ModelAction {
        let stops = format.stopTokens
        if let stop = generated.firstIndex(where: { stops.contains($0) }) {
            return ModelAction(text: format.decode(Array(generated[..<stop])), tokens: Array(generated[...stop]),
                               endedOnStop: true, promptTokens: promptTokens,
                               prefillSeconds: prefillSeconds, decodeSeconds: decodeSeconds)
        }
        return ModelAction(text: format.decode(generated), tokens: generated, endedOnStop: false,
                           promptTokens: promptTokens, prefillSeconds: prefillSeconds, decodeSeconds: decodeSeconds)
    }
}

/// A source of assistant turns: the in-process engine, a served endpoint, a script, a replay.
/// Implementations must honour task cancellation and must not block the cooperative pool.
public protocol LanguageModel: Sendable {
    func nextAction(_ request: ModelRequest) async throws -> ModelAction
}
