import AgentTools

/// CWM's per-transition `info` (spec §5): only the keys a transition has are set.
public struct StepInfo: Sendable, Hashable {
    public var source: String?
    public var instanceID: String?
    public var message: String?
    /// Seconds the environment spent on the step (intermediate transitions).
    public var duration: Double?
    /// -1 until an evaluation ran.
    public var evalDuration: Double?
    /// Set on the initial (nil) and terminal transitions. QUIRK kept: nil after max turns,
    /// context overflow, a strict format error or a timeout, even when a patch was submitted.
    public var predPatch: String?
    /// The evaluation report (JSON) when the patch was evaluated.
    public var reportJSON: String?

    public init(source: String? = nil, instanceID: String? = nil, message: String? = nil, duration: Double? = nil,
                evalDuration: Double? = nil, predPatch: String? = nil, reportJSON: String? = nil) {
        self.source = source
        self.instanceID = instanceID
        self.message = message
        self.duration = duration
        self.evalDuration = evalDuration
        self.predPatch = predPatch
        self.reportJSON = reportJSON
    }
}

/// How an episode ended.
public enum Termination: String, Sendable, Hashable {
    /// A final answer after a submission; the patch was evaluated.
    case finalAnswer = "final_answer"
    /// Strict mode: a format error before the final-answer condition held.
    case formatError = "format_error"
    case maxTurns = "max_turns"
    case contextExceeded = "context_exceeded"
    /// A backend failure after the sandbox had almost reached its lifetime.
    case timeout
    /// Every attempt failed in the backend; the datum is dropped.
    case dropped
}

/// What happened in a step, beyond the transition itself.
public enum StepKind: Sendable, Hashable {
    /// A tool ran; `succeeded` is CWM's internal flag (the model never sees it).
    case tool(name: String, succeeded: Bool)
    /// Non-strict format error: the observation is a user message with the rendered error.
    case formatError(String)
    /// The step ended the episode.
    case terminal(Termination)
}

/// The episode's first transition: the initial observation.
public struct EpisodeStart: Sendable {
    public var instanceID: String
    public var attempt: Int
    /// BOS, system, user (left-truncated) and the assistant prefix.
    public var observation: TokenizedText
    public var systemPrompt: String
    public var userPrompt: String
    /// `{source, instance_id, message: "", eval_duration: -1, pred_patch: null}`.
    public var info: StepInfo
}

/// One observation–action step, emitted before the next model call.
public struct EpisodeStep: Sendable {
    public var instanceID: String
    public var attempt: Int
    /// CWM's `step_id` (1 for the first action).
    public var index: Int
    public var action: ModelAction
    /// The parsed tool call, when the turn held one.
    public var toolCall: ToolCall?
    /// The observation that follows the action (empty when terminal): the optional end-of-turn
    /// lead, the tool or user message, the assistant prefix.
    public var observation: TokenizedText
    /// The observation's message body alone: the tool result with its budget notice, or the
    /// format error (after truncation); "" for the terminal step.
    public var feedback: String
    public var kind: StepKind
    public var terminal: Bool
    /// `outcomes.pass`: false except on a terminal step whose evaluation passed.
    public var passed: Bool
    public var info: StepInfo
    /// Context tokens after this step (CWM's `num_tokens`).
    public var contextTokens: Int
}

/// The result of an episode, over all its attempts.
public struct EpisodeResult: Sendable {
    public var instanceID: String
    public var termination: Termination
    public var passed: Bool
    /// CWM's terminal info message.
    public var message: String
    /// The patch that was evaluated (CWM's terminal `pred_patch`).
    public var predictedPatch: String?
    /// The latest successful submission, evaluated or not.
    public var lastSubmittedPatch: String?
    public var evaluation: EvaluationResult?
    public var evalDuration: Double
    /// Actions taken in the final attempt.
    public var steps: Int
    public var contextTokens: Int
    /// Attempts made (1 when nothing failed).
    public var attempts: Int
    /// Why each failed attempt failed.
    public var failures: [String]
}

/// The end of one attempt.
public enum EpisodeEnd: Sendable {
    /// The episode reached a terminal transition.
    case finished(EpisodeResult)
    /// The backend failed; the attempt's steps are void. `willRetry`: another attempt follows.
    case attemptFailed(instanceID: String, attempt: Int, reason: String, willRetry: Bool)
    /// No attempt succeeded.
    case dropped(EpisodeResult)
}

/// Receives an episode as it happens: the trajectory store commits each step here, before the
/// loop asks the model for the next turn. A throw stops the episode (it is not retried).
public protocol EpisodeObserver: Sendable {
    func episodeStarted(_ start: EpisodeStart) async throws
    func stepRecorded(_ step: EpisodeStep) async throws
    func episodeEnded(_ end: EpisodeEnd) async throws
}
