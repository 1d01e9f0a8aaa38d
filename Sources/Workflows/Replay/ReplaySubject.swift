import Agent
import DockerEnvironment
import Tasks
import Trajectories

/// What a replay needs of a stored episode: its steps (current attempt), its run's loop settings
/// and its task row.
public struct ReplaySubject: Sendable {
    public let episode: Episode
    /// The steps of the episode's current attempt, in order.
    public let steps: [Step]
    public let run: Run
    public let task: TaskRow
    /// The loop settings the run recorded (see `EpisodeServices.episodeConfig`).
    public let config: EpisodeConfig

    public static func load(store: TrajectoryStore, episode id: String) async throws -> ReplaySubject {
        let stored = try await store.episode(id)
        let run = try await store.run(stored.episode.runID)
        guard let taskJSON = stored.episode.taskJSON else { throw ReplayError.noTask(episode: id) }
        let rows: [TaskRow]
        do {
            rows = try TaskLoader.load(text: taskJSON, source: "the task of episode \(id)")
        } catch {
            throw ReplayError.badTask(episode: id, reason: error.description)
        }
        guard let task = rows.first else { throw ReplayError.badTask(episode: id, reason: "no task row in it") }
        return ReplaySubject(episode: stored.episode, steps: stored.steps, run: run, task: task,
                             config: try EpisodeServices.episodeConfig(runConfigJSON: run.configJSON))
    }

    public var episodeTask: EpisodeTask { EpisodeServices.episodeTask(task, source: episode.source, sample: episode.sampleIndex) }
}
