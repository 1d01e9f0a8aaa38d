import Foundation
import GRDB

/// Everything an export reads: the run and each episode with its current attempt's steps.
public struct RunExport: Sendable, Equatable {
    public var run: Run
    public var episodes: [EpisodeWithSteps]

    public init(run: Run, episodes: [EpisodeWithSteps]) {
        self.run = run
        self.episodes = episodes
    }
}

public enum ExportFormat: String, Sendable, CaseIterable {
    /// CWM dump-style rollouts JSONL (one line per finished episode).
    case cwm
    /// mini-swe-agent 1.1 `<instance_id>/<instance_id>.traj.json` files under a directory.
    case mini
    /// SWE-bench predictions JSONL.
    case preds
    /// Execution traces as CWM's trace-prediction token text, one JSON line {id, …, text} per complete trace.
    case cwmTrace = "cwm-trace"
    /// Execution traces with their frames as JSON, one line per trace.
    case traceJSON = "trace-json"

    /// Formats of execution traces (`--run` names a trace batch), not of episodes.
    public var isTraceFormat: Bool { self == .cwmTrace || self == .traceJSON }
}

extension TrajectoryStore {
    /// Loads a run with all its episodes and their current steps in one read transaction.
    public func exportData(run id: String) async throws(TrajectoryError) -> RunExport {
        try await read("loading run \(id) for export") { db in
            guard let runRow = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else {
                throw TrajectoryError.runNotFound(run: id)
            }
            let run = try Run(row: runRow)
            let episodes = try Row.fetchAll(db, sql: """
                SELECT * FROM episodes WHERE run_id = ? ORDER BY instance_id, sample_index
                """, arguments: [id]).map { row throws(TrajectoryError) in try Episode(row: row) }
            let withSteps = try episodes.map { episode in
                EpisodeWithSteps(episode: episode,
                                 steps: try Self.fetchSteps(db, episode: episode.id, attempt: episode.attempt))
            }
            return RunExport(run: run, episodes: withSteps)
        }
    }
}
