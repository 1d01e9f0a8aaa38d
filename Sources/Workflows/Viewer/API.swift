import Foundation
import Trajectories

/// The JSON the `/api/…` routes return (snake_case keys, ISO 8601 dates).
enum API {
    struct RunJSON: Encodable {
        var id: String
        var status: String
        var modelName: String
        var backendKind: String
        var tasksFile: String?
        var createdAt: Date
        var finishedAt: Date?
        var episodes: Int
        var finished: Int
        var submitted: Int
        var resolved: Int
        var resolvedRate: Double?
        var errors: Int
        var unfinished: Int
        var turns: Int
        var promptTokens: Int
        var completionTokens: Int
    }

    struct EpisodeJSON: Encodable {
        var id: String
        var runId: String
        var modelName: String
        var instanceId: String
        var sampleIndex: Int
        var attempt: Int
        var status: String
        var outcome: String
        var passed: Bool?
        var submitted: Bool
        var source: String
        var terminalMessage: String?
        var startedAt: Date
        var endedAt: Date?
        var turns: Int
        var promptTokens: Int
        var completionTokens: Int

        init(_ e: EpisodeSummary) {
            id = e.id; runId = e.runID; modelName = e.modelName; instanceId = e.instanceID; sampleIndex = e.sampleIndex
            attempt = e.attempt; status = e.status.rawValue; outcome = e.outcome.rawValue; passed = e.passed
            submitted = e.submitted; source = e.source; terminalMessage = e.terminalMessage; startedAt = e.startedAt
            endedAt = e.endedAt; turns = e.turns; promptTokens = e.promptTokens; completionTokens = e.completionTokens
        }
    }

    struct StepJSON: Encodable {
        var index: Int
        var role: String
        var toolName: String?
        var toolInput: String?
        var actionText: String
        var observation: String?
        var actionTokens: Int?
        var promptTokens: Int?
        var modelDuration: Double?
        var toolDuration: Double?
        var replayStatus: String?
    }

    struct EpisodeDetailJSON: Encodable {
        var id: String
        var runId: String
        var instanceId: String
        var sampleIndex: Int
        var attempt: Int
        var status: String
        var outcome: String
        var passed: Bool?
        var terminalMessage: String?
        var submittedPatch: String?
        var promptTokens: Int
        var completionTokens: Int
        var replayScore: Double?
        var steps: [StepJSON]

        init(_ detail: EpisodeWithSteps, replay: ReplayMarks?) {
            let e = detail.episode
            id = e.id; runId = e.runID; instanceId = e.instanceID; sampleIndex = e.sampleIndex; attempt = e.attempt
            status = e.status.rawValue; outcome = EpisodeOutcomeKind(status: e.status, passed: e.passed).rawValue
            passed = e.passed; terminalMessage = e.terminalMessage; submittedPatch = e.submittedPatch
            promptTokens = e.promptTokens; completionTokens = e.completionTokens; replayScore = replay?.replay.score
            steps = detail.steps.map { s in
                StepJSON(index: s.index, role: s.role.rawValue, toolName: s.toolName, toolInput: s.toolInput,
                         actionText: s.actionText, observation: s.observationBody ?? s.observationText,
                         actionTokens: s.actionTokens, promptTokens: s.promptTokens, modelDuration: s.modelDuration,
                         toolDuration: s.toolDuration, replayStatus: replay?.byStep[s.index]?.status.rawValue)
            }
        }
    }

    struct ErrorJSON: Encodable {
        var error: String
    }

    /// `/api/trace`: a trace, its frames as stored (`".."` diffs) and each frame's locals resolved.
    struct TraceJSON: Encodable {
        var id: String
        var batch: String
        var kind: String
        var repo: String?
        var commit: String?
        var taskId: String?
        var variant: String?
        var test: String?
        var file: String
        var function: String
        var line: Int
        var context: String
        var cut: String?
        var frames: [TraceFrame]
        /// Per frame: every local with its value as [name, value] pairs; nil for return and exception frames.
        var resolvedLocals: [[[String]]?]

        init(_ t: TraceRecord) {
            id = t.id; batch = t.batch; kind = t.kind.rawValue; repo = t.repo; commit = t.commit; taskId = t.taskID
            variant = t.variant; test = t.test; file = t.file; function = t.function; line = t.line; context = t.context
            cut = t.cut; frames = t.frames
            resolvedLocals = TraceStates.resolve(t.frames).map { $0?.map { [$0.name, $0.value] } }
        }
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{\"error\":\"encoding failed\"}".utf8)
    }
}

extension API.RunJSON {
    /// A run summary as JSON; the memberwise initializer stays for other callers.
    init(_ summary: RunSummary) {
        let run = summary.run, c = summary.counts
        self.init(id: run.id, status: run.status.rawValue, modelName: run.modelName, backendKind: run.backendKind,
                  tasksFile: run.tasksFile, createdAt: run.createdAt, finishedAt: run.finishedAt,
                  episodes: c.episodes, finished: c.finished, submitted: c.submitted, resolved: c.resolved,
                  resolvedRate: c.episodes > 0 ? Double(c.resolved) / Double(c.episodes) : nil,
                  errors: c.errors, unfinished: c.unfinished, turns: summary.turns,
                  promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
    }
}
