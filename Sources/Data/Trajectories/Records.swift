import Foundation

/// One invocation of the agent over a tasks file.
public struct Run: Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var finishedAt: Date?
    public var status: RunStatus
    /// The run's configuration as JSON text (stored verbatim, validated on write).
    public var configJSON: String
    public var modelName: String
    public var backendKind: String
    public var foragerVersion: String
    public var tasksFile: String?
}

/// One attempt of the agent at one task sample; unique per (run, instance, sample).
public struct Episode: Sendable, Equatable {
    public var id: String
    public var runID: String
    public var instanceID: String
    public var sampleIndex: Int
    /// 1 for the first start, +1 each time `--resume` restarts it.
    public var attempt: Int
    public var status: EpisodeStatus
    /// Why the episode ended, e.g. "Max turns reached" (CWM's terminal `info.message`).
    public var terminalMessage: String?
    /// Grading verdict: nil until graded.
    public var passed: Bool?
    public var submittedPatch: String?
    /// The SWE-bench report JSON text, nil until graded.
    public var gradingJSON: String?
    public var evalDuration: Double?
    public var startedAt: Date
    public var endedAt: Date?
    public var promptTokens: Int
    public var completionTokens: Int
    /// Where the episode came from: `run`, `forage:<repo>`, …
    public var source: String
    public var taskJSON: String?
    /// 0-based line of the task in the tasks file, when known.
    public var taskLine: Int?
    public var systemPrompt: String?
    public var userPrompt: String?
    /// The first observation exactly as the model saw it (rendered chat tokens), when kept.
    public var initialObservation: String?
}

/// One model turn and the observation returned for it.
public struct Step: Sendable, Equatable {
    public var episodeID: String
    public var attempt: Int
    public var index: Int
    public var role: ObservationRole
    /// The model's output as generated, stop token cut.
    public var actionText: String
    public var toolName: String?
    public var toolInput: String?
    /// Nil for the terminal action, which gets no observation.
    public var observationText: String?
    public var actionTokens: Int?
    public var observationTokens: Int?
    public var promptTokens: Int?
    public var modelDuration: Double?
    public var toolDuration: Double?
    public var createdAt: Date
    /// The observation's message body alone (nil for steps recorded before schema v2).
    public var observationBody: String? = nil
    /// The endpoint of a fleet that produced the action (nil otherwise, and before schema v5).
    public var servedBy: String? = nil
}

public struct EpisodeWithSteps: Sendable, Equatable {
    public var episode: Episode
    public var steps: [Step]
}

public struct RunCounts: Sendable, Equatable {
    public var episodes: Int
    public var finished: Int
    public var submitted: Int
    public var resolved: Int
    /// Episodes that ended in `failed` or `infra_error`.
    public var errors: Int
    public var unfinished: Int
}
