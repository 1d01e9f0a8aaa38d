import Foundation
import GRDB

extension TrajectoryStore {
    /// Records a new run. Fails with `runExists` if the id is taken (use `run(_:)` to resume).
    @discardableResult
    public func createRun(_ new: NewRun, at date: Date = Date()) async throws(TrajectoryError) -> Run {
        let id = new.id ?? Self.generateRunID(at: date)
        guard !id.isEmpty else { throw .invalidValue(field: "id", owner: "new run", reason: "empty run id") }
        try validateJSON(new.configJSON, field: "config", owner: "run \(id)")
        let run = Run(id: id, createdAt: date, finishedAt: nil, status: .running, configJSON: new.configJSON,
                      modelName: new.modelName, backendKind: new.backendKind,
                      foragerVersion: new.foragerVersion, tasksFile: new.tasksFile)
        return try await write("creating run \(id)") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [id]) != nil {
                throw TrajectoryError.runExists(run: id)
            }
            try db.execute(sql: """
                INSERT INTO runs (id, created_at, status, config_json, model_name, backend_kind,
                                  forager_version, tasks_file)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, date.timeIntervalSince1970, run.status.rawValue, run.configJSON,
                                 run.modelName, run.backendKind, run.foragerVersion, run.tasksFile])
            return run
        }
    }

    /// Marks a run finished (or interrupted) and stamps its end time.
    public func finishRun(_ id: String, status: RunStatus = .finished,
                          at date: Date = Date()) async throws(TrajectoryError) {
        try await write("finishing run \(id)") { db in
            try db.execute(sql: "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?",
                           arguments: [status.rawValue, date.timeIntervalSince1970, id])
            if db.changesCount == 0 { throw TrajectoryError.runNotFound(run: id) }
        }
    }

    /// Sets a resumed run back to `running`.
    public func reopenRun(_ id: String) async throws(TrajectoryError) {
        try await write("reopening run \(id)") { db in
            try db.execute(sql: "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?",
                           arguments: [id])
            if db.changesCount == 0 { throw TrajectoryError.runNotFound(run: id) }
        }
    }

    /// Ctrl-C: the run and every running episode of it become `interrupted`, in one transaction.
    public func markInterrupted(run id: String, at date: Date = Date()) async throws(TrajectoryError) {
        try await write("marking run \(id) interrupted") { db in
            try db.execute(sql: "UPDATE runs SET status = 'interrupted', finished_at = ? WHERE id = ?",
                           arguments: [date.timeIntervalSince1970, id])
            if db.changesCount == 0 { throw TrajectoryError.runNotFound(run: id) }
            try db.execute(sql: """
                UPDATE episodes SET status = 'interrupted', ended_at = ?
                WHERE run_id = ? AND status = 'running'
                """, arguments: [date.timeIntervalSince1970, id])
        }
    }

    public func runs() async throws(TrajectoryError) -> [Run] {
        try await read("listing runs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runs ORDER BY created_at, id").map { row throws(TrajectoryError) in
                try Run(row: row)
            }
        }
    }

    public func run(_ id: String) async throws(TrajectoryError) -> Run {
        try await read("reading run \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id]) else {
                throw TrajectoryError.runNotFound(run: id)
            }
            return try Run(row: row)
        }
    }

    public func counts(run id: String) async throws(TrajectoryError) -> RunCounts {
        try await read("counting episodes of run \(id)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [id]) != nil else {
                throw TrajectoryError.runNotFound(run: id)
            }
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS episodes,
                       COALESCE(SUM(status = 'finished'), 0) AS finished,
                       COALESCE(SUM(submitted_patch IS NOT NULL AND submitted_patch != ''), 0) AS submitted,
                       COALESCE(SUM(passed = 1), 0) AS resolved,
                       COALESCE(SUM(status IN ('failed', 'infra_error')), 0) AS errors,
                       COALESCE(SUM(status NOT IN ('finished', 'failed')), 0) AS unfinished
                FROM episodes WHERE run_id = ?
                """, arguments: [id])
            guard let row else { return RunCounts(episodes: 0, finished: 0, submitted: 0, resolved: 0, errors: 0, unfinished: 0) }
            return RunCounts(episodes: row["episodes"], finished: row["finished"], submitted: row["submitted"],
                             resolved: row["resolved"], errors: row["errors"], unfinished: row["unfinished"])
        }
    }

    /// The run's model turns (steps of each episode's latest attempt), how many of them ran a
    /// call of one of `tools`, and the action texts of the turns that ran no tool (a final answer,
    /// a format error, or a call left unexecuted because the turns ran out), for the caller to parse.
    public func turnCounts(run id: String, tools: [String]) async throws(TrajectoryError)
        -> (turns: Int, toolCalls: Int, unexecuted: [String]) {
        try await read("counting turns of run \(id)") { db in
            let names = tools.isEmpty ? "NULL" : tools.map { _ in "?" }.joined(separator: ", ")
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS turns, COALESCE(SUM(s.tool_name IN (\(names))), 0) AS tool_calls
                FROM steps s JOIN episodes e ON s.episode_id = e.id AND s.attempt = e.attempt
                WHERE e.run_id = ?
                """, arguments: StatementArguments(tools + [id]))
            let unexecuted = try String.fetchAll(db, sql: """
                SELECT s.action_text FROM steps s JOIN episodes e ON s.episode_id = e.id AND s.attempt = e.attempt
                WHERE e.run_id = ? AND s.tool_name IS NULL
                """, arguments: [id])
            return (row?["turns"] ?? 0, row?["tool_calls"] ?? 0, unexecuted)
        }
    }

    static func generateRunID(at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "run-\(formatter.string(from: date))-\(suffix)"
    }
}
