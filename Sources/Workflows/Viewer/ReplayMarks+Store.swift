import Trajectories

extension ReplayMarks {
    /// The newest replay of the episode's current attempt (the steps the page shows), with its
    /// verdict per step; nil when that attempt was never replayed.
    static func latest(in store: TrajectoryStore, episode: Episode) async throws(ViewerError) -> ReplayMarks? {
        do {
            guard let replay = try await store.replays(episode: episode.id).first(where: { $0.attempt == episode.attempt })
            else { return nil }
            let steps = try await store.replaySteps(replay: replay.id)
            return ReplayMarks(replay: replay, byStep: Dictionary(steps.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a }))
        } catch {
            throw .store(error)
        }
    }
}
