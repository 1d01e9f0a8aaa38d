/// Why an episode cannot be replayed; each names the episode and what to do.
public enum ReplayError: Error, Sendable, CustomStringConvertible {
    /// The episode was stored without its task row (only `forager run` records it).
    case noTask(episode: String)
    case badTask(episode: String, reason: String)
    /// The replay's own sandbox or grading failed (not a difference of the episode).
    case backend(episode: String, reason: String)

    public var description: String {
        switch self {
        case let .noTask(episode):
            return "episode \(episode) has no stored task row, so its sandbox cannot be rebuilt (only episodes recorded by forager run can be replayed)"
        case let .badTask(episode, reason):
            return "the task row stored with episode \(episode) is unusable: \(reason)"
        case let .backend(episode, reason):
            return "replaying episode \(episode) failed: \(reason)"
        }
    }
}
