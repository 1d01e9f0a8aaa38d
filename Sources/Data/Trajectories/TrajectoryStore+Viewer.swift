import Foundation
import GRDB

/// A run with its episode counts and totals, for listings (`forager view`).
public struct RunSummary: Sendable, Equatable {
    public var run: Run
    public var counts: RunCounts
    /// Steps of the episodes' current attempts.
    public var turns: Int
    public var promptTokens: Int
    public var completionTokens: Int
}

/// What became of an episode, in one word: the partition the viewer filters by.
public enum EpisodeOutcomeKind: String, Sendable, Codable, CaseIterable {
    /// Graded and passed.
    case resolved
    /// Graded and failed.
    case unresolved
    /// Ended normally but not graded (no patch, or grading not run).
    case ungraded
    /// Ended in `failed` or `infra_error`.
    case error
    /// Still `running`, or `interrupted`.
    case unfinished
}

/// Filters for episodes across runs; nil fields match everything.
public struct EpisodeQuery: Sendable, Equatable {
    public var runID: String?
    public var outcome: EpisodeOutcomeKind?
    public var status: EpisodeStatus?
    /// A substring of the instance id (the task), case-insensitive.
    public var instance: String?
    /// The run's model name, exactly.
    public var model: String?
    /// The episode's source, exactly (`run`, `forage:<repo>`, …).
    public var source: String?
    public var limit: Int
    public var offset: Int

    public init(runID: String? = nil, outcome: EpisodeOutcomeKind? = nil, status: EpisodeStatus? = nil,
                instance: String? = nil, model: String? = nil, source: String? = nil,
                limit: Int = 500, offset: Int = 0) {
        self.runID = runID
        self.outcome = outcome
        self.status = status
        self.instance = instance
        self.model = model
        self.source = source
        self.limit = limit
        self.offset = offset
    }
}

/// One episode without its texts: what a listing or a chart needs.
public struct EpisodeSummary: Sendable, Equatable {
    public var id: String
    public var runID: String
    public var modelName: String
    public var instanceID: String
    public var sampleIndex: Int
    public var attempt: Int
    public var status: EpisodeStatus
    public var outcome: EpisodeOutcomeKind
    public var passed: Bool?
    public var submitted: Bool
    public var source: String
    public var terminalMessage: String?
    public var startedAt: Date
    public var endedAt: Date?
    /// Steps of the current attempt.
    public var turns: Int
    public var promptTokens: Int
    public var completionTokens: Int
}

/// The distinct values the viewer offers as filter choices.
public struct EpisodeFacets: Sendable, Equatable {
    public var models: [String]
    public var sources: [String]
}

extension TrajectoryStore {
    /// Every run, newest first, with counts and token totals.
    public func runSummaries() async throws(TrajectoryError) -> [RunSummary] {
        try await read("summarizing runs") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.*,
                       COUNT(e.id) AS n_episodes,
                       COALESCE(SUM(e.status = 'finished'), 0) AS n_finished,
                       COALESCE(SUM(e.submitted_patch IS NOT NULL AND e.submitted_patch != ''), 0) AS n_submitted,
                       COALESCE(SUM(e.passed = 1), 0) AS n_resolved,
                       COALESCE(SUM(e.status IN ('failed', 'infra_error')), 0) AS n_errors,
                       COALESCE(SUM(e.status NOT IN ('finished', 'failed')), 0) AS n_unfinished,
                       COALESCE(SUM(e.prompt_tokens), 0) AS n_prompt_tokens,
                       COALESCE(SUM(e.completion_tokens), 0) AS n_completion_tokens,
                       COALESCE(SUM((SELECT COUNT(*) FROM steps s
                                     WHERE s.episode_id = e.id AND s.attempt = e.attempt)), 0) AS n_turns
                FROM runs r LEFT JOIN episodes e ON e.run_id = r.id
                GROUP BY r.id ORDER BY r.created_at DESC, r.id DESC
                """)
            return try rows.map { row throws(TrajectoryError) in
                RunSummary(
                    run: try Run(row: row),
                    counts: RunCounts(episodes: row["n_episodes"], finished: row["n_finished"],
                                      submitted: row["n_submitted"], resolved: row["n_resolved"],
                                      errors: row["n_errors"], unfinished: row["n_unfinished"]),
                    turns: row["n_turns"], promptTokens: row["n_prompt_tokens"],
                    completionTokens: row["n_completion_tokens"])
            }
        }
    }

    /// Episodes of every run matching `query`, by run (newest first), instance and sample.
    public func episodeSummaries(_ query: EpisodeQuery = EpisodeQuery()) async throws(TrajectoryError) -> [EpisodeSummary] {
        guard query.limit > 0, query.offset >= 0 else {
            throw .invalidValue(field: "limit/offset", owner: "episode query",
                                reason: "limit must be positive and offset not negative (\(query.limit), \(query.offset))")
        }
        return try await read("listing episodes") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
                conditions.append(condition)
                _ = arguments.append(contentsOf: StatementArguments(values))
            }
            if let run = query.runID { add("e.run_id = ?", [run]) }
            if let outcome = query.outcome { add(Self.outcomeCondition(outcome), []) }
            if let status = query.status { add("e.status = ?", [status.rawValue]) }
            if let instance = query.instance, !instance.isEmpty {
                add("e.instance_id LIKE ? ESCAPE '\\'", ["%" + Self.escapeLike(instance) + "%"])
            }
            if let model = query.model { add("r.model_name = ?", [model]) }
            if let source = query.source { add("e.source = ?", [source]) }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [query.limit, query.offset])
            let rows = try Row.fetchAll(db, sql: """
                SELECT e.id, e.run_id, r.model_name, e.instance_id, e.sample_index, e.attempt, e.status,
                       e.passed, (e.submitted_patch IS NOT NULL AND e.submitted_patch != '') AS submitted,
                       e.source, e.terminal_message, e.started_at, e.ended_at, e.prompt_tokens,
                       e.completion_tokens,
                       (SELECT COUNT(*) FROM steps s WHERE s.episode_id = e.id AND s.attempt = e.attempt) AS turns
                FROM episodes e JOIN runs r ON r.id = e.run_id
                \(whereClause)
                ORDER BY r.created_at DESC, e.run_id, e.instance_id, e.sample_index
                LIMIT ? OFFSET ?
                """, arguments: arguments)
            return try rows.map { row throws(TrajectoryError) in try EpisodeSummary(row: row) }
        }
    }

    /// The models and sources present in the database, sorted.
    public func episodeFacets() async throws(TrajectoryError) -> EpisodeFacets {
        try await read("listing models and sources") { db in
            EpisodeFacets(
                models: try String.fetchAll(db, sql: "SELECT DISTINCT model_name FROM runs ORDER BY model_name"),
                sources: try String.fetchAll(db, sql: "SELECT DISTINCT source FROM episodes ORDER BY source"))
        }
    }

    static func outcomeCondition(_ outcome: EpisodeOutcomeKind) -> String {
        switch outcome {
        case .resolved: return "e.passed = 1"
        case .unresolved: return "e.passed = 0"
        case .ungraded: return "e.passed IS NULL AND e.status = 'finished'"
        case .error: return "e.passed IS NULL AND e.status IN ('failed', 'infra_error')"
        case .unfinished: return "e.passed IS NULL AND e.status IN ('running', 'interrupted')"
        }
    }

    private static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

extension EpisodeOutcomeKind {
    /// The outcome of an episode with this status and grading (the grading wins when present).
    public init(status: EpisodeStatus, passed: Bool?) {
        switch (passed, status) {
        case (true?, _): self = .resolved
        case (false?, _): self = .unresolved
        case (nil, .finished): self = .ungraded
        case (nil, .failed), (nil, .infraError): self = .error
        case (nil, .running), (nil, .interrupted): self = .unfinished
        }
    }
}

extension EpisodeSummary {
    init(row: Row) throws(TrajectoryError) {
        let id: String = row["id"]
        guard let status = EpisodeStatus(rawValue: row["status"]) else {
            throw .invalidValue(field: "status", owner: "episode \(id)", reason: "unknown value \"\(row["status"] as String)\"")
        }
        let passed: Bool? = row["passed"]
        self.init(
            id: id, runID: row["run_id"], modelName: row["model_name"], instanceID: row["instance_id"],
            sampleIndex: row["sample_index"], attempt: row["attempt"], status: status,
            outcome: EpisodeOutcomeKind(status: status, passed: passed), passed: passed,
            submitted: row["submitted"], source: row["source"], terminalMessage: row["terminal_message"],
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            turns: row["turns"], promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"])
    }
}
