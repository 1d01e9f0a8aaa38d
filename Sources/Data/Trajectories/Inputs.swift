import Foundation

public struct NewRun: Sendable {
    /// Nil: a generated id (`run-<timestamp>-<random>`).
    public var id: String?
    public var configJSON: String
    public var modelName: String
    public var backendKind: String
    public var foragerVersion: String
    public var tasksFile: String?

    public init(id: String? = nil, configJSON: String = "{}", modelName: String, backendKind: String,
                foragerVersion: String, tasksFile: String? = nil) {
        self.id = id
        self.configJSON = configJSON
        self.modelName = modelName
        self.backendKind = backendKind
        self.foragerVersion = foragerVersion
        self.tasksFile = tasksFile
    }
}

public struct NewEpisode: Sendable {
    public var runID: String
    public var instanceID: String
    public var sampleIndex: Int
    public var source: String
    public var taskJSON: String?
    public var taskLine: Int?
    public var systemPrompt: String?
    public var userPrompt: String?
    public var initialObservation: String?

    public init(runID: String, instanceID: String, sampleIndex: Int = 0, source: String = "run",
                taskJSON: String? = nil, taskLine: Int? = nil, systemPrompt: String? = nil,
                userPrompt: String? = nil, initialObservation: String? = nil) {
        self.runID = runID
        self.instanceID = instanceID
        self.sampleIndex = sampleIndex
        self.source = source
        self.taskJSON = taskJSON
        self.taskLine = taskLine
        self.systemPrompt = systemPrompt
        self.userPrompt = userPrompt
        self.initialObservation = initialObservation
    }
}

/// What `startEpisode` found for the (run, instance, sample) key.
public enum EpisodeStart: Sendable, Equatable {
    /// No episode existed: a new one, attempt 1.
    case started(Episode)
    /// An unfinished episode existed: it is running again with `attempt` incremented; the steps
    /// recorded by earlier attempts are kept (`previousSteps`, latest attempt first-to-last).
    case resumed(Episode, previousSteps: [Step])
    /// A finished or failed episode exists: nothing to do.
    case alreadyDone(Episode)

    public var episode: Episode {
        switch self {
        case let .started(e), let .resumed(e, _), let .alreadyDone(e): return e
        }
    }
}

public struct NewStep: Sendable {
    public var role: ObservationRole
    public var actionText: String
    public var toolName: String?
    public var toolInput: String?
    public var observationText: String?
    /// The observation's message body alone, without the chat format's markers.
    public var observationBody: String?
    public var actionTokens: Int?
    public var observationTokens: Int?
    /// Prompt length of the model call that produced this action; added to the episode's total.
    public var promptTokens: Int?
    public var modelDuration: Double?
    public var toolDuration: Double?
    /// A successful submit in this step: becomes the episode's submitted patch (latest wins).
    public var submittedPatch: String?
    /// The endpoint that produced the action, when the backend is a fleet of endpoints.
    public var servedBy: String?

    public init(role: ObservationRole = .tool, actionText: String, toolName: String? = nil,
                toolInput: String? = nil, observationText: String? = nil, actionTokens: Int? = nil,
                observationTokens: Int? = nil, promptTokens: Int? = nil, modelDuration: Double? = nil,
                toolDuration: Double? = nil, submittedPatch: String? = nil, observationBody: String? = nil,
                servedBy: String? = nil) {
        self.role = role
        self.servedBy = servedBy
        self.observationBody = observationBody
        self.actionText = actionText
        self.toolName = toolName
        self.toolInput = toolInput
        self.observationText = observationText
        self.actionTokens = actionTokens
        self.observationTokens = observationTokens
        self.promptTokens = promptTokens
        self.modelDuration = modelDuration
        self.toolDuration = toolDuration
        self.submittedPatch = submittedPatch
    }
}

/// How an episode ended. Grading may come here or later through `recordGrading`.
public struct EpisodeOutcome: Sendable {
    public var status: EpisodeStatus
    public var terminalMessage: String?
    public var passed: Bool?
    /// Nil keeps the patch recorded by the steps.
    public var submittedPatch: String?
    public var gradingJSON: String?
    public var evalDuration: Double?

    public init(status: EpisodeStatus, terminalMessage: String? = nil, passed: Bool? = nil,
                submittedPatch: String? = nil, gradingJSON: String? = nil, evalDuration: Double? = nil) {
        self.status = status
        self.terminalMessage = terminalMessage
        self.passed = passed
        self.submittedPatch = submittedPatch
        self.gradingJSON = gradingJSON
        self.evalDuration = evalDuration
    }
}

public struct EpisodeFilter: Sendable {
    public var status: EpisodeStatus?
    public var instanceID: String?
    public var source: String?

    public init(status: EpisodeStatus? = nil, instanceID: String? = nil, source: String? = nil) {
        self.status = status
        self.instanceID = instanceID
        self.source = source
    }
}
