import Trajectories

/// The model outputs of every episode of a stored run, per instance, for `forager run
/// --replay-run` (a `ScriptedModel` plays them back).
public enum StoredRunTurns {
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case noEpisodes(run: String)
        case severalSamples(run: String, instance: String)

        public var description: String {
            switch self {
            case let .noEpisodes(run):
                return "run \(run) has no episodes to play back"
            case let .severalSamples(run, instance):
                return "run \(run) has several samples of \(instance); --replay-run plays back one sample per instance (replay each episode with forager replay --mode model instead)"
            }
        }
    }

    /// Each instance's action texts in turn order (the latest attempt of its episode).
    public static func load(store: TrajectoryStore, run id: String) async throws -> [String: [String]] {
        _ = try await store.run(id)
        let episodes = try await store.episodes(run: id)
        guard !episodes.isEmpty else { throw Failure.noEpisodes(run: id) }
        var turns: [String: [String]] = [:]
        for episode in episodes {
            guard turns[episode.instanceID] == nil else {
                throw Failure.severalSamples(run: id, instance: episode.instanceID)
            }
            turns[episode.instanceID] = try await store.episode(episode.id).steps.map(\.actionText)
        }
        return turns
    }
}
