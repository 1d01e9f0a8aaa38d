import DockerEngine
import Foundation
import Trajectories

/// `forager replay`: replays one stored episode (its current attempt) and stores the replay
/// beside it.
public struct EpisodeReplayer: Sendable {
    public let client: DockerClient
    public let store: TrajectoryStore
    public let settings: ReplaySettings

    public init(client: DockerClient, store: TrajectoryStore, settings: ReplaySettings) {
        self.client = client
        self.store = store
        self.settings = settings
    }

    public struct Report: Sendable {
        public var replay: Replay
        public var steps: [ReplayStep]
    }

    public func replay(episode id: String, mode: ReplayMode) async throws -> Report {
        let subject = try await ReplaySubject.load(store: store, episode: id)
        let replayID = Replay.generateID()
        let steps: [ReplayStep]
        var passed: Bool?
        let notes: [String]
        switch mode {
        case .exec:
            let outcome = try await ExecReplayer(client: client, settings: settings, replayID: replayID).replay(subject)
            steps = outcome.steps
            notes = outcome.notes
        case .model:
            let outcome = try await ModelReplayer(client: client, settings: settings, replayID: replayID).replay(subject)
            steps = outcome.steps
            passed = outcome.passed
            notes = outcome.notes
        }
        let matched = steps.filter(\.status.isMatch).count
        let replay = Replay(id: replayID, episodeID: subject.episode.id, attempt: subject.episode.attempt, mode: mode,
                            steps: steps.count, matched: matched, mismatched: steps.count - matched,
                            score: steps.isEmpty ? 1 : Double(matched) / Double(steps.count), passed: passed,
                            detail: notes.isEmpty ? nil : notes.joined(separator: "\n"))
        try await store.recordReplay(replay, steps: steps)
        return Report(replay: replay, steps: steps)
    }
}
