import AgentTools
import Foundation

/// CWM's SWE agent loop (`SWERLToolEnv`, spec §1.3–1.9) driving a language model, with the
/// container created lazily through `makeEnvironment`, the submitted patch scored by `evaluate`,
/// and every transition reported to `observer` before the next model call.
public struct EpisodeRunner: Sendable {
    public var config: EpisodeConfig
    public var format: any ChatFormat
    public var model: any LanguageModel
    public var templates: PromptTemplates
    public var makeEnvironment: EnvironmentFactory
    public var evaluate: Evaluator
    public var observer: (any EpisodeObserver)?

    public init(config: EpisodeConfig = .init(), format: any ChatFormat, model: any LanguageModel,
                templates: PromptTemplates = .builtIn, makeEnvironment: @escaping EnvironmentFactory,
                evaluate: @escaping Evaluator, observer: (any EpisodeObserver)? = nil) {
        self.config = config
        self.format = format
        self.model = model
        self.templates = templates
        self.makeEnvironment = makeEnvironment
        self.evaluate = evaluate
        self.observer = observer
    }

    /// Runs the episode, restarting it from scratch after a backend failure, up to
    /// `config.maxAttempts` tries; then the datum is dropped (a result with `.dropped`).
    /// Cancellation and observer failures are thrown.
    public func run(_ task: EpisodeTask) async throws -> EpisodeResult {
        var failures: [String] = []
        for attempt in 1...max(1, config.maxAttempts) {
            do {
                var result = try await runAttempt(task, attempt: attempt)
                result.attempts = attempt
                result.failures = failures
                try await observer?.episodeEnded(.finished(result))
                return result
            } catch let failure as BackendFailure {
                try Task.checkCancellation()
                failures.append(failure.description)
                try await observer?.episodeEnded(.attemptFailed(
                    instanceID: task.instanceID, attempt: attempt, reason: failure.description,
                    willRetry: attempt < config.maxAttempts))
            }
        }
        let dropped = EpisodeResult(
            instanceID: task.instanceID, termination: .dropped, passed: false,
            message: "Dropped after \(failures.count) failed attempts: \(failures.last ?? "")",
            predictedPatch: nil, lastSubmittedPatch: nil, evaluation: nil, evalDuration: -1, steps: 0,
            contextTokens: 0, attempts: failures.count, failures: failures)
        try await observer?.episodeEnded(.dropped(dropped))
        return dropped
    }

    /// The initial observation (spec §1.2): BOS, system, user truncated left to
    /// `maxPromptLength`, the assistant prefix (and the think-token opener in think-token mode).
    public func initialObservation(_ task: EpisodeTask) -> (observation: TokenizedText, system: String, user: String) {
        let system = ChatMessage(.system, InitialPrompt.system(config, templates: templates))
        let user = format.truncated(ChatMessage(.user, InitialPrompt.user(task, config: config, templates: templates)),
                                    to: config.maxPromptLength, side: .left)
        var observation = format.beginning + format.encode(system) + format.encode(user)
            + format.generationPrefix(config.assistantPrefix)
        if config.usesThinkToken { observation += format.thinkingStart }
        return (observation, system.body, user.body)
    }

    /// A backend exception (spec §1.9): the attempt is void.
    struct BackendFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// One attempt's mutable state.
    private struct State {
        var context: TokenizedText
        /// The context as messages, for chat backends.
        var messages: [ChatMessage]
        var numTokens: Int
        var stepID = 0
        var environment: (any EpisodeEnvironment)?
        var predPatch: String?
    }

    private func runAttempt(_ task: EpisodeTask, attempt: Int) async throws -> EpisodeResult {
        let (initial, system, user) = initialObservation(task)
        var state = State(context: initial, messages: [ChatMessage(.system, system), ChatMessage(.user, user)],
                          numTokens: initial.count)
        try await observer?.episodeStarted(EpisodeStart(
            instanceID: task.instanceID, attempt: attempt, observation: initial, systemPrompt: system, userPrompt: user,
            info: StepInfo(source: task.source, instanceID: task.instanceID, message: "", evalDuration: -1, predPatch: nil)))
        do {
            while true {
                if let result = try await step(task, attempt: attempt, state: &state) {
                    return result
                }
            }
        } catch let failure as BackendFailure {
            let environment = state.environment
            await environment?.close()
            try Task.checkCancellation()
            // A failure near the end of the sandbox's life is a timeout, not a restart.
            if let environment, ContinuousClock.now - environment.startedAt > config.sandboxLifetime - .seconds(30) {
                let message = "Timeout: duration=\(environment.startedAt.duration(to: .now)), sandbox=\(environment.identifier), "
                    + "task=\(task.instanceID), error=\(failure.description)"
                return EpisodeResult(
                    instanceID: task.instanceID, termination: .timeout, passed: false, message: message,
                    predictedPatch: nil, lastSubmittedPatch: state.predPatch, evaluation: nil, evalDuration: -1,
                    steps: state.stepID, contextTokens: state.numTokens, attempts: attempt, failures: [])
            }
            throw failure
        } catch {
            await state.environment?.close()
            throw error
        }
    }

    /// One step (spec §1.3). Returns the result when the step is terminal.
    private func step(_ task: EpisodeTask, attempt: Int, state: inout State) async throws -> EpisodeResult? {
        let action = try await nextAction(task, attempt: attempt, state: state)
        let started = ContinuousClock.now
        try take(action, into: &state)
        if let terminal = try await endOnLimit(task, attempt, action, &state) { return terminal }
        let feedback: Feedback
        switch try await runTool(action, task, &state) {
        case .ran(let call, let result):
            feedback = toolFeedback(call, result, action, &state)
        case .malformed(let call, let rendered):
            if let terminal = try await endOnFormatError(rendered, call, task, attempt, action, &state) { return terminal }
            feedback = formatErrorFeedback(rendered, call, action)
        }
        try await record(feedback, task, attempt, action, since: started, &state)
        return nil
    }

    /// What the environment answers one action with.
    private struct Feedback {
        let call: ToolCall?
        let observation: TokenizedText
        let message: ChatMessage
        let kind: StepKind
    }

    /// How the action's tool call went: it ran, or it is a format error (rendered for the model).
    private enum ToolOutcome {
        case ran(ToolCall, ToolResult)
        case malformed(ToolCall?, rendered: String)
    }

    /// Asks the model for the next action; a failure of the backend voids the attempt.
    private func nextAction(_ task: EpisodeTask, attempt: Int, state: State) async throws -> ModelAction {
        let request = ModelRequest(instanceID: task.instanceID, attempt: attempt, turnIndex: state.stepID,
                                   context: state.context, maxTokens: config.maxActionLength, messages: state.messages,
                                   endAfter: config.turnEnd, sample: task.sample)
        do {
            return try await model.nextAction(request)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw BackendFailure(description: "model: \(error)")
        }
    }

    /// 1–2. Counts the action into the context; its text is already cut at the stop token.
    private func take(_ action: ModelAction, into state: inout State) throws {
        state.stepID += 1
        state.numTokens += action.tokens.count
        guard action.tokens.count <= config.maxActionLength else {
            throw BackendFailure(description: "the model returned \(action.tokens.count) tokens, more than max_action_len \(config.maxActionLength)")
        }
        state.context += TokenizedText(text: format.decode(action.tokens), tokens: action.tokens)
        state.messages.append(ChatMessage(.assistant, action.text))
    }

    /// 3–4. The context and turn limits.
    private func endOnLimit(_ task: EpisodeTask, _ attempt: Int, _ action: ModelAction, _ state: inout State) async throws -> EpisodeResult? {
        // QUIRK kept: no evaluation and no pred_patch, even after a submit.
        if state.numTokens > config.contextSize {
            return try await limitReached(.contextExceeded, "Context size exceeded: \(state.numTokens) > \(config.contextSize)",
                                          task, attempt, action, &state)
        }
        // QUIRK kept (off-by-one): the max_turns-th action never runs.
        if state.stepID >= config.maxTurns {
            return try await limitReached(.maxTurns, "Max turns reached", task, attempt, action, &state)
        }
        return nil
    }

    /// 5–8. Think split and parse, the sandbox on the first well-formed call, the tool.
    private func runTool(_ action: ModelAction, _ task: EpisodeTask, _ state: inout State) async throws -> ToolOutcome {
        let call: ToolCall
        do {
            call = try ToolCallParser.parseTurn(action.text, thinkingEnd: config.thinkingEnd)
        } catch {
            return .malformed(nil, rendered: renderForModel(error))
        }
        let environment = try await environment(task, &state)
        do {
            return .ran(call, try await environment.tools.apply(call))
        } catch {
            switch error {
            case .noSuchTool(let noSuchTool):
                return .malformed(call, rendered: renderForModel(noSuchTool))
            case .backend(let backend):
                try Task.checkCancellation()
                throw BackendFailure(description: "tool \(call.name): \(backend.message)")
            }
        }
    }

    /// 7. The episode's environment, created lazily.
    private func environment(_ task: EpisodeTask, _ state: inout State) async throws -> any EpisodeEnvironment {
        if let environment = state.environment { return environment }
        do {
            let environment = try await makeEnvironment(task, config)
            state.environment = environment
            return environment
        } catch let error as CancellationError {
            throw error
        } catch {
            throw BackendFailure(description: "starting the sandbox: \(error)")
        }
    }

    /// 9. A format error after a submission is a final answer; under strict format it ends the
    /// episode. Nil when the episode goes on.
    private func endOnFormatError(_ rendered: String, _ call: ToolCall?, _ task: EpisodeTask, _ attempt: Int,
                                  _ action: ModelAction, _ state: inout State) async throws -> EpisodeResult? {
        let split: (answer: String, markerCount: Int) = config.thinkingEnd.map { ThinkSplit.split(action.text, thinkingEnd: $0) } ?? (action.text, 1)
        if let patch = state.predPatch, !config.think || split.markerCount == 1,
           !config.strictFormat || split.answer.contains("##") {
            return try await finalAnswer(patch, task, attempt, action, call, &state)
        }
        if config.strictFormat {
            return try await limitReached(.formatError, "Tool call format error: \(rendered)", task, attempt, action, &state, call: call)
        }
        return nil
    }

    /// 9. The format-error message (spec §1.5).
    private func formatErrorFeedback(_ rendered: String, _ call: ToolCall?, _ action: ModelAction) -> Feedback {
        let message = renderer.formatErrorMessage(rendered)
        return Feedback(call: call, observation: renderer.observation(afterActionEndingWith: action.tokens.last, message: message),
                        message: message, kind: .formatError(rendered))
    }

    /// 10–11. Tool feedback, budget notice, truncation; a successful submit stores its patch.
    private func toolFeedback(_ call: ToolCall, _ result: ToolResult, _ action: ModelAction, _ state: inout State) -> Feedback {
        if let patch = result.submittedPatch, result.succeeded { state.predPatch = patch }
        let message = renderer.toolMessage(tool: call.name, output: result.output, stepID: state.stepID,
                                           contextTokens: state.numTokens)
        return Feedback(call: call, observation: renderer.observation(afterActionEndingWith: action.tokens.last, message: message),
                        message: message, kind: .tool(name: call.name, succeeded: result.succeeded))
    }

    /// Adds the feedback to the context and reports the step.
    private func record(_ feedback: Feedback, _ task: EpisodeTask, _ attempt: Int, _ action: ModelAction,
                        since started: ContinuousClock.Instant, _ state: inout State) async throws {
        state.numTokens += feedback.observation.count
        state.context += feedback.observation
        state.messages.append(feedback.message)
        try await observer?.stepRecorded(EpisodeStep(
            instanceID: task.instanceID, attempt: attempt, index: state.stepID, action: action, toolCall: feedback.call,
            observation: feedback.observation, feedback: feedback.message.body, kind: feedback.kind, terminal: false, passed: false,
            info: StepInfo(duration: seconds(since: started)), contextTokens: state.numTokens))
    }

    private var renderer: ObservationRenderer { ObservationRenderer(config: config, format: format) }

    /// Terminal without evaluation: limits and strict format errors.
    private func limitReached(_ termination: Termination, _ message: String, _ task: EpisodeTask, _ attempt: Int,
                              _ action: ModelAction, _ state: inout State, call: ToolCall? = nil) async throws -> EpisodeResult {
        await state.environment?.close()
        try await observer?.stepRecorded(EpisodeStep(
            instanceID: task.instanceID, attempt: attempt, index: state.stepID, action: action, toolCall: call,
            observation: .empty, feedback: "", kind: .terminal(termination), terminal: true, passed: false,
            info: StepInfo(source: task.source, instanceID: task.instanceID, message: message, evalDuration: -1, predPatch: nil),
            contextTokens: state.numTokens))
        return EpisodeResult(
            instanceID: task.instanceID, termination: termination, passed: false, message: message, predictedPatch: nil,
            lastSubmittedPatch: state.predPatch, evaluation: nil, evalDuration: -1, steps: state.stepID,
            contextTokens: state.numTokens, attempts: attempt, failures: [])
    }

    /// A final answer after a submission: close the sandbox, score the stored patch.
    private func finalAnswer(_ patch: String, _ task: EpisodeTask, _ attempt: Int, _ action: ModelAction,
                             _ call: ToolCall?, _ state: inout State) async throws -> EpisodeResult {
        await state.environment?.close()
        let started = ContinuousClock.now
        let evaluation: EvaluationResult
        do {
            evaluation = try await evaluate(task, patch)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw BackendFailure(description: "evaluation: \(error)")
        }
        let evalDuration = seconds(since: started)
        let message = String(evaluation.message.prefix(102_400))
        try await observer?.stepRecorded(EpisodeStep(
            instanceID: task.instanceID, attempt: attempt, index: state.stepID, action: action, toolCall: call,
            observation: .empty, feedback: "", kind: .terminal(.finalAnswer), terminal: true, passed: evaluation.passed,
            info: StepInfo(source: task.source, instanceID: task.instanceID, message: message, evalDuration: evalDuration,
                           predPatch: patch, reportJSON: evaluation.reportJSON),
            contextTokens: state.numTokens))
        return EpisodeResult(
            instanceID: task.instanceID, termination: .finalAnswer, passed: evaluation.passed, message: message,
            predictedPatch: patch, lastSubmittedPatch: patch, evaluation: evaluation, evalDuration: evalDuration,
            steps: state.stepID, contextTokens: state.numTokens, attempts: attempt, failures: [])
    }
}
