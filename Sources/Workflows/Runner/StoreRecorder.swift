import Agent
import DockerEngine
import Foundation
import Trajectories

/// Records one episode into the trajectory store as the loop runs it: each step is committed
/// before the loop asks the model for the next action, so a crash loses nothing.
actor StoreRecorder: EpisodeObserver {
    let store: TrajectoryStore
    let newEpisode: NewEpisode
    private(set) var episodeID: String
    /// Told of each step once it is committed.
    let onStep: @Sendable (EpisodeStep) -> Void

    init(store: TrajectoryStore, newEpisode: NewEpisode, episodeID: String, onStep: @escaping @Sendable (EpisodeStep) -> Void = { _ in }) {
        self.store = store
        self.newEpisode = newEpisode
        self.episodeID = episodeID
        self.onStep = onStep
    }

    func episodeStarted(_ start: Agent.EpisodeStart) async throws {
        // The loop's own retries after a backend failure start the episode again: the store then
        // counts a new attempt of the same episode (never a second episode).
        if start.attempt > 1 {
            episodeID = try await store.startEpisode(newEpisode).episode.id
        }
        try await store.setPrompts(episode: episodeID, systemPrompt: start.systemPrompt, userPrompt: start.userPrompt,
                                   initialObservation: start.observation.text)
    }

    func stepRecorded(_ step: EpisodeStep) async throws {
        let role: ObservationRole
        if case .formatError = step.kind { role = .user } else { role = .tool }
        _ = try await store.appendStep(episode: episodeID, NewStep(
            role: role, actionText: step.action.text, toolName: step.toolCall?.name, toolInput: step.toolCall?.input,
            // The terminal action gets no observation.
            observationText: step.terminal ? nil : step.observation.text, actionTokens: step.action.tokens.count,
            observationTokens: step.terminal ? nil : step.observation.tokens.count, promptTokens: step.action.promptTokens,
            modelDuration: step.action.prefillSeconds + step.action.decodeSeconds, toolDuration: step.info.duration,
            observationBody: step.terminal ? nil : step.feedback, servedBy: step.action.servedBy))
        onStep(step)
    }

    func episodeEnded(_ end: EpisodeEnd) async throws {
        // After a signal the handler removes the containers: a grade or a failure seen since may
        // come from that, so the episode is interrupted (run again on --resume), never graded.
        if ShutdownGate.isClosed {
            try await store.markInterrupted(episode: episodeID)
            return
        }
        switch end {
        case .finished(let result):
            try await store.finishEpisode(episodeID, EpisodeOutcome(
                status: .finished, terminalMessage: result.message, passed: result.passed,
                submittedPatch: result.lastSubmittedPatch ?? result.predictedPatch,
                gradingJSON: result.evaluation?.reportJSON, evalDuration: result.evaluation == nil ? nil : result.evalDuration))
        case .attemptFailed(_, _, let reason, let willRetry):
            if !willRetry {
                try await store.finishEpisode(episodeID, EpisodeOutcome(status: .infraError, terminalMessage: reason))
            }
        case .dropped(let result):
            try await store.finishEpisode(episodeID, EpisodeOutcome(
                status: .infraError, terminalMessage: "dropped after \(result.attempts) attempts: \(result.failures.joined(separator: "; "))"))
        }
    }
}
