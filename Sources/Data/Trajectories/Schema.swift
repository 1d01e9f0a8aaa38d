import GRDB

/// Versioned schema. Never edit a registered migration: add a new one.
enum Schema {
    /// `PRAGMA application_id` of every Forager trajectory database ("FRGR").
    static let applicationID: Int32 = 0x4652_4752

    /// The migrations in order, each applied once, in the same transaction as the check of which
    /// ones a file has (`migrate`). Ids are those of GRDB's `grdb_migrations` table, so files
    /// migrated by GRDB's migrator before are read the same way.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations { migrator.registerMigration(migration.id, migrate: migration.apply) }
        return migrator
    }

    /// Applies the migrations `db` lacks. Call inside one `BEGIN IMMEDIATE` transaction: SQLite's
    /// write lock is then held from the check to the last migration, so two processes opening a
    /// new file at once migrate it once (the second finds it done).
    static func migrate(_ db: Database) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        let applied = Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        for migration in migrations where !applied.contains(migration.id) {
            try migration.apply(db)
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.id])
        }
    }

    struct Migration: Sendable {
        let id: String
        let apply: @Sendable (Database) throws -> Void
    }

    static let migrations: [Migration] = [
        Migration(id: "v1-runs-episodes-steps") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.create(table: "runs") { t in
                t.primaryKey("id", .text)
                t.column("created_at", .double).notNull()
                t.column("finished_at", .double)
                t.column("status", .text).notNull()
                t.column("config_json", .text).notNull()
                t.column("model_name", .text).notNull()
                t.column("backend_kind", .text).notNull()
                t.column("forager_version", .text).notNull()
                t.column("tasks_file", .text)
            }
            try db.create(table: "episodes") { t in
                t.primaryKey("id", .text)
                t.column("run_id", .text).notNull().references("runs", onDelete: .cascade)
                t.column("instance_id", .text).notNull()
                t.column("sample_index", .integer).notNull()
                t.column("attempt", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("terminal_message", .text)
                t.column("passed", .boolean)
                t.column("submitted_patch", .text)
                t.column("grading_json", .text)
                t.column("eval_duration", .double)
                t.column("started_at", .double).notNull()
                t.column("ended_at", .double)
                t.column("prompt_tokens", .integer).notNull().defaults(to: 0)
                t.column("completion_tokens", .integer).notNull().defaults(to: 0)
                t.column("source", .text).notNull()
                t.column("task_json", .text)
                t.column("task_line", .integer)
                t.column("system_prompt", .text)
                t.column("user_prompt", .text)
                t.column("initial_observation", .text)
                t.uniqueKey(["run_id", "instance_id", "sample_index"])
            }
            try db.create(index: "episodes_by_run_status", on: "episodes", columns: ["run_id", "status"])
            try db.create(table: "steps") { t in
                t.column("episode_id", .text).notNull().references("episodes", onDelete: .cascade)
                t.column("attempt", .integer).notNull()
                t.column("step_index", .integer).notNull()
                t.column("role", .text).notNull()
                t.column("action_text", .text).notNull()
                t.column("tool_name", .text)
                t.column("tool_input", .text)
                t.column("observation_text", .text)
                t.column("action_tokens", .integer)
                t.column("observation_tokens", .integer)
                t.column("prompt_tokens", .integer)
                t.column("model_duration", .double)
                t.column("tool_duration", .double)
                t.column("created_at", .double).notNull()
                t.primaryKey(["episode_id", "attempt", "step_index"])
            }
        },
        // The observation's message body alone (what a chat transcript shows), beside the full
        // observation text with the format's markers (what CWM's dump keeps).
        Migration(id: "v2-step-observation-body") { db in
            try db.alter(table: "steps") { t in t.add(column: "observation_body", .text) }
        },
        // `forager replay`: each replay of an episode and the verdict of each of its steps.
        Migration(id: "v3-replays") { db in
            try db.create(table: "replays") { t in
                t.primaryKey("id", .text)
                t.column("episode_id", .text).notNull().references("episodes", onDelete: .cascade)
                t.column("attempt", .integer).notNull()
                t.column("mode", .text).notNull()
                t.column("created_at", .double).notNull()
                t.column("steps", .integer).notNull()
                t.column("matched", .integer).notNull()
                t.column("mismatched", .integer).notNull()
                t.column("score", .double).notNull()
                t.column("passed", .boolean)
                t.column("detail", .text)
            }
            try db.create(index: "replays_by_episode", on: "replays", columns: ["episode_id", "created_at"])
            try db.create(table: "replay_steps") { t in
                t.column("replay_id", .text).notNull().references("replays", onDelete: .cascade)
                t.column("step_index", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("recorded", .text)
                t.column("replayed", .text)
                t.column("diff", .text)
                t.primaryKey(["replay_id", "step_index"])
            }
        },
        // `forager trace`: execution traces (CWM's frame format) and their frames, linked to the
        // repository, commit, function, test and task they came from.
        Migration(id: "v4-execution-traces") { db in
            try db.create(table: "traces") { t in
                t.primaryKey("id", .text)
                t.column("batch", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("repo", .text)
                t.column("commit_sha", .text)
                t.column("task_id", .text)
                t.column("variant", .text)
                t.column("test", .text)
                t.column("file", .text).notNull()
                t.column("function", .text).notNull()
                t.column("line", .integer).notNull()
                t.column("code_line", .integer)
                t.column("entry_call", .integer)
                t.column("context", .text).notNull()
                t.column("cut", .text)
                t.column("events", .integer).notNull()
                t.column("seconds", .double).notNull()
                t.column("untraced_seconds", .double)
                t.column("created_at", .double).notNull()
            }
            try db.create(index: "traces_by_batch", on: "traces", columns: ["batch", "created_at"])
            try db.create(index: "traces_by_function", on: "traces", columns: ["repo", "file", "function"])
            try db.create(table: "trace_frames") { t in
                t.column("trace_id", .text).notNull().references("traces", onDelete: .cascade)
                t.column("frame_index", .integer).notNull()
                t.column("event", .text).notNull()
                t.column("file", .text).notNull()
                t.column("line", .integer).notNull()
                t.column("source", .text).notNull()
                t.column("depth", .integer).notNull()
                t.column("call_index", .integer).notNull()
                t.column("locals_json", .text)
                t.column("value", .text)
                t.primaryKey(["trace_id", "frame_index"])
            }
        },
        // Which endpoint of a fleet (`--endpoint` given several times) served each turn.
        Migration(id: "v5-step-served-by") { db in
            try db.alter(table: "steps") { t in t.add(column: "served_by", .text) }
        },
    ]
}
