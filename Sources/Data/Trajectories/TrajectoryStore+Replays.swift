import Foundation
import GRDB

extension TrajectoryStore {
    /// Stores a replay and its steps in one transaction. The episode must exist.
    public func recordReplay(_ replay: Replay, steps: [ReplayStep]) async throws(TrajectoryError) {
        guard !replay.id.isEmpty else {
            throw .invalidValue(field: "id", owner: "replay of episode \(replay.episodeID)", reason: "empty replay id")
        }
        try await write("recording replay \(replay.id) of episode \(replay.episodeID)") { db in
            _ = try Self.fetchEpisode(db, id: replay.episodeID)
            try db.execute(sql: """
                INSERT INTO replays (id, episode_id, attempt, mode, created_at, steps, matched, mismatched,
                                     score, passed, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [replay.id, replay.episodeID, replay.attempt, replay.mode.rawValue,
                                 replay.createdAt.timeIntervalSince1970, replay.steps, replay.matched,
                                 replay.mismatched, replay.score, replay.passed, replay.detail])
            for step in steps {
                try db.execute(sql: """
                    INSERT INTO replay_steps (replay_id, step_index, status, recorded, replayed, diff)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [replay.id, step.index, step.status.rawValue, step.recorded,
                                     step.replayed, step.diff])
            }
        }
    }

    /// The replays of an episode, newest first.
    public func replays(episode id: String) async throws(TrajectoryError) -> [Replay] {
        try await read("listing replays of episode \(id)") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM replays WHERE episode_id = ? ORDER BY created_at DESC, id DESC
                """, arguments: [id]).map { row throws(TrajectoryError) in try Replay(row: row) }
        }
    }

    /// The steps of a replay in step order.
    public func replaySteps(replay id: String) async throws(TrajectoryError) -> [ReplayStep] {
        try await read("reading the steps of replay \(id)") { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM replay_steps WHERE replay_id = ? ORDER BY step_index
                """, arguments: [id]).map { row throws(TrajectoryError) in try ReplayStep(row: row, replay: id) }
        }
    }
}

extension Replay {
    init(row: Row) throws(TrajectoryError) {
        let id: String = row["id"]
        let rawMode: String = row["mode"]
        guard let mode = ReplayMode(rawValue: rawMode) else {
            throw .invalidValue(field: "mode", owner: "replay \(id)", reason: "unknown value \"\(rawMode)\"")
        }
        self.init(id: id, episodeID: row["episode_id"], attempt: row["attempt"], mode: mode,
                  createdAt: Date(timeIntervalSince1970: row["created_at"]), steps: row["steps"],
                  matched: row["matched"], mismatched: row["mismatched"], score: row["score"],
                  passed: row["passed"], detail: row["detail"])
    }
}

extension ReplayStep {
    init(row: Row, replay: String) throws(TrajectoryError) {
        let index: Int = row["step_index"]
        let rawStatus: String = row["status"]
        guard let status = ReplayStepStatus(rawValue: rawStatus) else {
            throw .invalidValue(field: "status", owner: "step \(index) of replay \(replay)",
                                reason: "unknown value \"\(rawStatus)\"")
        }
        self.init(index: index, status: status, recorded: row["recorded"], replayed: row["replayed"],
                  diff: row["diff"])
    }
}
