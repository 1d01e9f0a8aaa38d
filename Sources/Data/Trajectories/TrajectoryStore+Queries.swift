import Foundation
import GRDB

extension TrajectoryStore {
    /// A run's episodes ordered by instance and sample, optionally filtered.
    public func episodes(run id: String, filter: EpisodeFilter = EpisodeFilter()) async throws(TrajectoryError) -> [Episode] {
        try await read("listing episodes of run \(id)") { db in
            var sql = "SELECT * FROM episodes WHERE run_id = ?"
            var arguments: StatementArguments = [id]
            if let status = filter.status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let instance = filter.instanceID {
                sql += " AND instance_id = ?"
                _ = arguments.append(contentsOf: [instance])
            }
            if let source = filter.source {
                sql += " AND source = ?"
                _ = arguments.append(contentsOf: [source])
            }
            sql += " ORDER BY instance_id, sample_index"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row throws(TrajectoryError) in
                try Episode(row: row)
            }
        }
    }

    /// The episode and the steps of its current attempt (`allAttempts`: every recorded step).
    public func episode(_ id: String, allAttempts: Bool = false) async throws(TrajectoryError) -> EpisodeWithSteps {
        try await read("reading episode \(id)") { db in
            let episode = try Self.fetchEpisode(db, id: id)
            let steps = try Self.fetchSteps(db, episode: id, attempt: allAttempts ? nil : episode.attempt)
            return EpisodeWithSteps(episode: episode, steps: steps)
        }
    }

    /// Episodes `--resume` must run again: every one not finished or failed.
    public func episodesToResume(run id: String) async throws(TrajectoryError) -> [Episode] {
        try await read("listing unfinished episodes of run \(id)") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM episodes WHERE run_id = ? AND status NOT IN ('finished', 'failed')
                ORDER BY instance_id, sample_index
                """, arguments: [id]).map { row throws(TrajectoryError) in try Episode(row: row) }
        }
    }
}
