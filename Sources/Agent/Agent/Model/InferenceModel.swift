import Foundation
import Inference

/// The in-process engine as a `LanguageModel`.
///
/// `Inference` generates synchronously and is CPU-bound, so every call runs on this model's own
/// serial dispatch queue (never on Swift's cooperative pool, which it would starve: Docker I/O
/// and everything else waits there) and is awaited through a continuation. Turns of episodes that
/// share the model run together (continuous batching: each new turn's prompt is prefilled, then
/// every running turn's next token goes through one forward pass), each on one of up to
/// `maxSessions` sessions (a KV cache each, only
/// resident where written): the one whose cache its prompt continues, so the turns of episodes
/// that alternate each reuse their own history instead of prefilling it again; a new
/// conversation gets a fresh session while there is room, else the least recently used one.
/// While other turns decode, a new prompt is prefilled `prefillChunk` tokens per step (chunked
/// prefill), so a long prompt holds their decoding one chunk at a time, not for its whole length.
/// The weights are loaded once whatever the number of episodes. Cancelling the awaiting task
/// stops generation at the next token.
public final class InferenceModel: LanguageModel, @unchecked Sendable {
    public struct UnsupportedContext: Error, CustomStringConvertible {
        public let description: String
    }

    public let model: Model
    public let format: any ChatFormat
    /// CWM's SWE-bench Verified sampling: temperature 1.0, top-p 0.95. The seed is mixed with the
    /// sample, attempt and turn so that every turn, and each of a task's K samples, samples
    /// differently yet reproducibly.
    public let sampling: SamplingParameters
    /// Limits each turn's text (`--constrain-tools`); nil: the model's own distribution.
    public let constraint: (any TokenConstraint)?
    private let queue = DispatchQueue(label: "forager.inference", qos: .userInitiated)
    /// Conversations kept at once (one KV cache each).
    public let maxSessions: Int
    /// Prompt tokens prefilled between two decoding steps of the running turns.
    public let prefillChunk: Int
    private let requestedContext: Int?, threads: Int?
    /// Touched only on `queue`: the sessions, most recently used last.
    private var sessions: [Session]

    public init(model: Model, format: any ChatFormat,
                sampling: SamplingParameters = SamplingParameters(temperature: 1.0, topP: 0.95),
                contextLength: Int? = nil, threads: Int? = nil, constraint: (any TokenConstraint)? = nil, maxSessions: Int = 4,
                prefillChunk: Int = 256) {
        self.model = model
        self.format = format
        self.sampling = sampling
        self.constraint = constraint
        self.maxSessions = max(1, maxSessions)
        self.prefillChunk = max(1, prefillChunk)
        requestedContext = contextLength
        self.threads = threads
        sessions = [Session(model: model, contextLength: contextLength, threads: threads)]
    }

    public var contextLength: Int { sessions[0].contextLength }

    /// The session for `prompt` (on `queue`), among those no running generation holds: the one
    /// it continues, else a new one while there is room, else the one sharing the longest prefix
    /// (ties: least recently used). Moved last. Nil when every session is busy.
    private func session(for prompt: [Int], busy: Set<ObjectIdentifier>) -> Session? {
        let free = sessions.indices.filter { !busy.contains(ObjectIdentifier(sessions[$0])) }
        let index: Int
        if let continued = free.last(where: { !sessions[$0].tokens.isEmpty && sessions[$0].commonPrefix(prompt) == sessions[$0].tokens.count }) {
            index = continued
        } else if let empty = free.first(where: { sessions[$0].tokens.isEmpty }) {
            index = empty
        } else if sessions.count < maxSessions {
            sessions.append(Session(model: model, contextLength: requestedContext, threads: threads))
            index = sessions.count - 1
        } else if !free.isEmpty {
            let shared = free.map { sessions[$0].commonPrefix(prompt) }
            let best = shared.indices.max { shared[$0] < shared[$1] || (shared[$0] == shared[$1] && $0 > $1) } ?? 0
            index = free[best]
        } else {
            return nil
        }
        let chosen = sessions.remove(at: index)
        sessions.append(chosen)
        return chosen
    }

    /// One turn as asked for.
    fileprivate struct Job: Sendable {
        let prompt: [Int]
        let options: GenerationOptions
        /// Receives the text as it is generated (streaming clients of `forager serve`).
        let onText: (@Sendable (String) -> Void)?
        let cancelled: CancellationFlag
        let continuation: CheckedContinuation<GenerationResult, any Error>
    }

    /// A turn whose prompt is being prefilled, chunk by chunk, on its session.
    private struct Prefilling {
        let job: Job
        let session: Session
        let began: (nanoseconds: UInt64, cached: Int)
    }

    /// A turn in the batch: its generation and the token it runs next.
    private struct Running {
        let job: Job
        var generation: Generation
        var next: Int
    }

    private let pendingLock = NSLock()
    /// Guarded by `pendingLock`: turns not yet taken by the driver, and whether it runs.
    private var pending: [Job] = []
    private var driving = false

    fileprivate func submit(_ job: Job) {
        let start = pendingLock.withLock { () -> Bool in
            pending.append(job)
            if driving { return false }
            driving = true
            return true
        }
        if start { queue.async { [self] in drive() } }
    }

    /// Continuous batching, on `queue`: turns are admitted as they come, each on a free session;
    /// each step prefills the first admitted prompt (all of it when nothing decodes, else its
    /// next `prefillChunk` tokens), then decodes the next token of every running turn in one
    /// forward pass; a finished or cancelled turn leaves the batch at once. Runs until no turn is left.
    private func drive() {
        var active: [Running] = [], prefilling: [Prefilling] = [], waiting: [Job] = []
        while true {
            waiting += pendingLock.withLock { () -> [Job] in
                defer { pending.removeAll() }
                return pending
            }
            var stillWaiting: [Job] = []
            for job in waiting {
                if job.cancelled.isSet { job.continuation.resume(throwing: CancellationError()); continue }
                let busy = Set(active.map { ObjectIdentifier($0.generation.session) } + prefilling.map { ObjectIdentifier($0.session) })
                guard let session = session(for: job.prompt, busy: busy) else { stillWaiting.append(job); continue }
                prefilling.append(Prefilling(job: job, session: session,
                                             began: (DispatchTime.now().uptimeNanoseconds, session.commonPrefix(job.prompt))))
            }
            waiting = stillWaiting
            prefilling.removeAll { turn in
                guard turn.job.cancelled.isSet else { return false }
                turn.job.continuation.resume(throwing: CancellationError())
                return true
            }
            if !prefilling.isEmpty {
                let turn = prefilling[0]
                if let started = prefillStep(turn, othersDecoding: !active.isEmpty) {
                    prefilling.removeFirst()
                    if let started { active.append(started) }
                }
            }
            // Cancelled turns end here (their callers throw CancellationError).
            active.removeAll { running in
                guard running.job.cancelled.isSet else { return false }
                var generation = running.generation
                generation.cancel()
                running.job.continuation.resume(returning: generation.result())
                return true
            }
            guard let driver = active.first?.generation.session else {
                if waiting.isEmpty && prefilling.isEmpty {
                    let idle = pendingLock.withLock { () -> Bool in
                        if pending.isEmpty { driving = false }
                        return !driving
                    }
                    if idle { return }
                }
                continue
            }
            do {
                let logits = try driver.decodeBatch(active.map(\.generation.session), active.map(\.next))
                var still: [Running] = []
                for (var running, row) in zip(active, logits) {
                    if let token = running.generation.advance(row) {
                        running.next = token
                        still.append(running)
                    } else {
                        running.job.continuation.resume(returning: running.generation.result())
                    }
                }
                active = still
            } catch {
                for running in active { running.job.continuation.resume(throwing: error) }
                active = []
            }
        }
    }

    /// One step of a turn's prefill (on `queue`). Nil: more of the prompt is left for the next
    /// step; `.some(nil)`: the turn is over (answered, or failed); `.some(running)`: it decodes from now on.
    private func prefillStep(_ turn: Prefilling, othersDecoding: Bool) -> Running?? {
        let job = turn.job, session = turn.session
        do {
            // Keep the cached prefix the prompt shares, less its last token, whose logits are needed.
            let keep = min(session.commonPrefix(job.prompt), job.prompt.count - 1)
            session.truncate(to: keep)
            let done = session.tokens.count
            if othersDecoding && job.prompt.count - done > prefillChunk {
                _ = try session.evaluateInPlace(Array(job.prompt[done..<(done + prefillChunk)]))
                return nil
            }
            let onText = job.onText.map { send in { (text: String) -> Bool in send(text); return true } }
            var (generation, logits) = try Generation.start(session, prompt: job.prompt, options: job.options, onText: onText,
                                                             prefillBegan: turn.began)
            if let next = generation.advance(logits) { return .some(Running(job: job, generation: generation, next: next)) }
            job.continuation.resume(returning: generation.result())
        } catch {
            job.continuation.resume(throwing: error)
        }
        return .some(nil)
    }

    public func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        let prompt = request.context.tokens
        var parameters = sampling
        parameters.seed = sampling.seed &+ UInt64(request.sample) &* 0x9E37_79B9 &+ UInt64(request.attempt) &* 1_000_003
            &+ UInt64(request.turnIndex)
        let options = GenerationOptions(maxTokens: request.maxTokens, sampling: parameters, stopIds: format.stopTokens,
                                        stopStrings: request.stopStrings, endAfter: request.endAfter, constraint: constraint)
        let result = try await generate(prompt: prompt, options: options)
        var action = result.stopReason == .stopString || result.stopReason == .endMarker
            ? ModelAction(text: result.text, tokens: result.tokens, endedOnStop: true, promptTokens: result.promptTokens,
                          prefillSeconds: result.prefillSeconds, decodeSeconds: result.decodeSeconds)
            : ModelAction.cut(result.tokens, format: format, promptTokens: result.promptTokens,
                              prefillSeconds: result.prefillSeconds, decodeSeconds: result.decodeSeconds)
        action.prefilledTokens = result.prefilledTokens
        return action
    }
}

extension InferenceModel {
    /// One generation of `prompt` with its own options, batched with every other running turn
    /// (`forager serve`'s requests, episodes' turns); `onText` receives the text as it comes.
    /// Cancelling the awaiting task stops it at the next token and throws CancellationError.
    /// A prompt with an id outside the vocabulary, or one that fills the window, is refused
    /// (`UnsupportedContext`); at most the tokens that fit after the prompt are generated.
    public func generate(prompt: [Int], options given: GenerationOptions,
                         onText: (@Sendable (String) -> Void)? = nil) async throws -> GenerationResult {
        try Task.checkCancellation()
        if let bad = prompt.first(where: { $0 < 0 || $0 >= model.config.vocabularySize }) {
            throw UnsupportedContext(description:
                "token id \(bad) is not in the model's vocabulary (\(model.config.vocabularySize)): the \(format.name) format's markers are missing from this tokenizer; use a format the model knows (ChatML for SmolLM2)")
        }
        let room = contextLength - prompt.count
        guard room > 0 else {
            throw UnsupportedContext(description: "the context (\(prompt.count) tokens) fills the engine's \(contextLength)-token window")
        }
        var options = given
        options.maxTokens = min(options.maxTokens, room)
        let cancelled = CancellationFlag()
        let result: GenerationResult = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                submit(Job(prompt: prompt, options: options, onText: onText, cancelled: cancelled, continuation: continuation))
            }
        } onCancel: {
            cancelled.set()
        }
        if result.stopReason == .cancelled || cancelled.isSet { throw CancellationError() }
        return result
    }
}

/// A flag set from the cancellation handler and read on the generation queue.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
