import Foundation
import Inference

/// The in-process engine as a `LanguageModel`.
///
/// `Inference` generates synchronously and is CPU-bound, so every call runs on this model's own
/// serial dispatch queue (never on Swift's cooperative pool, which it would starve: Docker I/O
/// and everything else waits there) and is awaited through a continuation. One `Session` is
/// kept, so a turn reuses the KV cache of the context it shares with the previous one; episodes
/// that share a model take turns. Cancelling the awaiting task stops generation at the next
/// token.
public final class InferenceModel: LanguageModel, @unchecked Sendable {
    public struct UnsupportedContext: Error, CustomStringConvertible {
        public let description: String
    }

    public let model: Model
    public let format: any ChatFormat
    /// CWM's SWE-bench Verified sampling: temperature 1.0, top-p 0.95. The seed is mixed with the
    /// attempt and turn so that every turn samples differently yet reproducibly.
    public let sampling: SamplingParameters
    /// Limits each turn's text (`--constrain-tools`); nil: the model's own distribution.
    public let constraint: (any TokenConstraint)?
    private let queue = DispatchQueue(label: "forager.inference", qos: .userInitiated)
    /// Touched only on `queue`.
    private let session: Session

    public init(model: Model, format: any ChatFormat,
                sampling: SamplingParameters = SamplingParameters(temperature: 1.0, topP: 0.95),
                contextLength: Int? = nil, threads: Int? = nil, constraint: (any TokenConstraint)? = nil) {
        self.model = model
        self.format = format
        self.sampling = sampling
        self.constraint = constraint
        session = Session(model: model, contextLength: contextLength, threads: threads)
    }

    public var contextLength: Int { session.contextLength }

    public func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        try Task.checkCancellation()
        let prompt = request.context.tokens
        if let bad = prompt.first(where: { $0 < 0 || $0 >= model.config.vocabularySize }) {
            throw UnsupportedContext(description:
                "token id \(bad) is not in the model's vocabulary (\(model.config.vocabularySize)): the \(format.name) format's markers are missing from this tokenizer; use a format the model knows (ChatML for SmolLM2)")
        }
        let room = session.contextLength - prompt.count
        guard room > 0 else {
            throw UnsupportedContext(description: "the context (\(prompt.count) tokens) fills the engine's \(session.contextLength)-token window")
        }
        var parameters = sampling
        parameters.seed = sampling.seed &+ UInt64(request.attempt) &* 1_000_003 &+ UInt64(request.turnIndex)
        let options = GenerationOptions(maxTokens: min(request.maxTokens, room), sampling: parameters, stopIds: format.stopTokens,
                                        stopStrings: request.stopStrings, constraint: constraint)
        let cancelled = CancellationFlag()
        let result: GenerationResult = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async { [self] in
                    guard !cancelled.isSet else { return continuation.resume(throwing: CancellationError()) }
                    do {
                        let result = try self.session.generate(prompt: prompt, options: options) { _ in !cancelled.isSet }
                        continuation.resume(returning: result)
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
        } onCancel: {
            cancelled.set()
        }
        if result.stopReason == .cancelled || cancelled.isSet { throw CancellationError() }
        if result.stopReason == .stopString {
            return ModelAction(text: result.text, tokens: result.tokens, endedOnStop: true, promptTokens: result.promptTokens,
                               prefillSeconds: result.prefillSeconds, decodeSeconds: result.decodeSeconds)
        }
        return ModelAction.cut(result.tokens, format: format, promptTokens: result.promptTokens,
                               prefillSeconds: result.prefillSeconds, decodeSeconds: result.decodeSeconds)
    }
}

/// A flag set from the cancellation handler and read on the generation queue.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
