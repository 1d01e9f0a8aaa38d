/// Every failure of the store or an export, each naming the file, run, episode or field involved.
public enum TrajectoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file exists but is not SQLite, or is SQLite without Forager's schema.
    case notAForagerDatabase(path: String, reason: String)
    /// The file was migrated by a newer Forager; this build does not know some of its migrations.
    case newerSchema(path: String, unknownMigrations: [String])
    case runExists(run: String)
    case runNotFound(run: String)
    case episodeNotFound(episode: String)
    /// The episode is already finished, so it cannot take more steps or be finished again.
    case episodeClosed(episode: String, status: EpisodeStatus)
    /// A JSON text field (config, task, grading report) does not parse.
    case invalidJSON(field: String, owner: String, reason: String)
    case invalidValue(field: String, owner: String, reason: String)
    /// SQLite refused an operation; `operation` says which one and on what.
    case database(operation: String, message: String)
    case export(target: String, message: String)

    public var description: String {
        switch self {
        case let .notAForagerDatabase(path, reason):
            return "\(path) is not a Forager trajectory database: \(reason)"
        case let .newerSchema(path, unknown):
            return "\(path) was written by a newer Forager (unknown migrations: \(unknown.joined(separator: ", "))); upgrade Forager to open it"
        case let .runExists(run):
            return "run \(run) already exists"
        case let .runNotFound(run):
            return "run \(run) not found"
        case let .episodeNotFound(episode):
            return "episode \(episode) not found"
        case let .episodeClosed(episode, status):
            return "episode \(episode) is already \(status.rawValue)"
        case let .invalidJSON(field, owner, reason):
            return "\(field) of \(owner) is not valid JSON: \(reason)"
        case let .invalidValue(field, owner, reason):
            return "\(field) of \(owner) is invalid: \(reason)"
        case let .database(operation, message):
            return "database error while \(operation): \(message)"
        case let .export(target, message):
            return "export to \(target) failed: \(message)"
        }
    }
}
