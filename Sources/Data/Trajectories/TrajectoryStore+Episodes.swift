import Foundation
import GRDB

extension TrajectoryStore {
    /// The stable id of the episode for (run, instance, sample).
    public static func episodeID(run: String, instance: String, sample: Int) -> String {
        "\(run)/\(instance)/\(sample)"
    }

    /// Starts the episode for (run, instance, sample), or resumes it if an earlier attempt did not
    /// finish (attempt + 1, status back to running, earlier steps kept), or reports it done.
    public func startEpisode(_ new: NewEpisode, at date: Date = Date()) async throws(TrajectoryError) -> EpisodeStart {
        let id = Self.episodeID(run: new.runID, instance: new.instanceID, sample: new.sampleIndex)
        guard !new.instanceID.isEmpty else {
            throw .invalidValue(field: "instance_id", owner: "episode in run \(new.runID)", reason: "empty")
        }
        guard new.sampleIndex >= 0 else {
            throw .invalidValue(field: "sample_index", owner: "episode \(id)", reason: "negative (\(new.sampleIndex))")
        }
        try validateJSON(new.taskJSON, field: "task", owner: "episode \(id)")
        return try await write("starting episode \(id)") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [new.runID]) != nil else {
                throw TrajectoryError.runNotFound(run: new.runID)
            }
            if let row = try Row.fetchOne(db, sql: """
                SELECT * FROM episodes WHERE run_id = ? AND instance_id = ? AND sample_index = ?
                """, arguments: [new.runID, new.instanceID, new.sampleIndex]) {
                var existing = try Episode(row: row)
                if existing.status.isFinal { return .alreadyDone(existing) }
                let steps = try Self.fetchSteps(db, episode: existing.id, attempt: existing.attempt)
                existing.attempt += 1
                existing.status = .running
                existing.endedAt = nil
                existing.terminalMessage = nil
                try db.execute(sql: """
                    UPDATE episodes SET attempt = ?, status = 'running', ended_at = NULL, terminal_message = NULL
                    WHERE id = ?
                    """, arguments: [existing.attempt, existing.id])
                return .resumed(existing, previousSteps: steps)
            }
            let episode = Episode(
                id: id, runID: new.runID, instanceID: new.instanceID, sampleIndex: new.sampleIndex, attempt: 1,
                status: .running, terminalMessage: nil, passed: nil, submittedPatch: nil, gradingJSON: nil,
                evalDuration: nil, startedAt: date, endedAt: nil, promptTokens: 0, completionTokens: 0,
                source: new.source, taskJSON: new.taskJSON, taskLine: new.taskLine,
                systemPrompt: new.systemPrompt, userPrompt: new.userPrompt,
                initialObservation: new.initialObservation)
            try db.execute(sql: """
                INSERT INTO episodes (id, run_id, instance_id, sample_index, attempt, status, started_at,
                                      source, task_json, task_line, system_prompt, user_prompt, initial_observation)
                VALUES (?, ?, ?, ?, 1, 'running', ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, new.runID, new.instanceID, new.sampleIndex, date.timeIntervalSince1970,
                                 new.source, new.taskJSON, new.taskLine, exactText(new.systemPrompt),
                                 exactText(new.userPrompt), exactText(new.initialObservation)])
            return .started(episode)
        }
    }

    /// Records the prompts once they are rendered (they may be known only after `startEpisode`).
    public func setPrompts(episode id: String, systemPrompt: String?, userPrompt: String?,
                           initialObservation: String?) async throws(TrajectoryError) {
        try await write("recording prompts of episode \(id)") { db in
            try db.execute(sql: """
                UPDATE episodes SET system_prompt = ?, user_prompt = ?, initial_observation = ? WHERE id = ?
                """, arguments: [exactText(systemPrompt), exactText(userPrompt), exactText(initialObservation), id])
            if db.changesCount == 0 { throw TrajectoryError.episodeNotFound(episode: id) }
        }
    }

    /// Appends the next step of the episode's current attempt in one transaction, committed when
    /// this returns; adds its tokens to the episode's totals. Returns the step as stored.
    @discardableResult
    public func appendStep(episode id: String, _ new: NewStep, at date: Date = Date()) async throws(TrajectoryError) -> Step {
        for (field, value) in [("action_tokens", new.actionTokens), ("observation_tokens", new.observationTokens),
                               ("prompt_tokens", new.promptTokens)] {
            if let value, value < 0 {
                throw .invalidValue(field: field, owner: "new step of episode \(id)", reason: "negative (\(value))")
            }
        }
        return try await write("appending a step to episode \(id)") { db in
            let episode = try Self.fetchEpisode(db, id: id)
            guard episode.status == .running else {
                throw TrajectoryError.episodeClosed(episode: id, status: episode.status)
            }
            let index = try Int.fetchOne(db, sql: """
                SELECT COALESCE(MAX(step_index) + 1, 0) FROM steps WHERE episode_id = ? AND attempt = ?
                """, arguments: [id, episode.attempt]) ?? 0
            let step = Step(episodeID: id, attempt: episode.attempt, index: index, role: new.role,
                            actionText: new.actionText, toolName: new.toolName, toolInput: new.toolInput,
                            observationText: new.observationText, actionTokens: new.actionTokens,
                            observationTokens: new.observationTokens, promptTokens: new.promptTokens,
                            modelDuration: new.modelDuration, toolDuration: new.toolDuration, createdAt: date,
                            observationBody: new.observationBody, servedBy: new.servedBy)
            try db.execute(sql: """
                INSERT INTO steps (episode_id, attempt, step_index, role, action_text, tool_name, tool_input,
                                   observation_text, action_tokens, observation_tokens, prompt_tokens,
                                   model_duration, tool_duration, created_at, observation_body, served_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, step.attempt, index, step.role.rawValue, exactText(step.actionText), step.toolName,
                                 exactText(step.toolInput), exactText(step.observationText), step.actionTokens,
                                 step.observationTokens, step.promptTokens, step.modelDuration, step.toolDuration,
                                 date.timeIntervalSince1970, exactText(step.observationBody), step.servedBy])
            try db.execute(sql: """
                UPDATE episodes SET prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?,
                                    submitted_patch = COALESCE(?, submitted_patch)
                WHERE id = ?
                """, arguments: [new.promptTokens ?? 0, new.actionTokens ?? 0, exactText(new.submittedPatch), id])
            return step
        }
    }

    /// Ends the episode: status, terminal message and, when known, the grading.
    public func finishEpisode(_ id: String, _ outcome: EpisodeOutcome,
                              at date: Date = Date()) async throws(TrajectoryError) {
        try validateJSON(outcome.gradingJSON, field: "grading report", owner: "episode \(id)")
        try await write("finishing episode \(id)") { db in
            let episode = try Self.fetchEpisode(db, id: id)
            if episode.status.isFinal {
                throw TrajectoryError.episodeClosed(episode: id, status: episode.status)
            }
            try db.execute(sql: """
                UPDATE episodes SET status = ?, terminal_message = ?, passed = COALESCE(?, passed),
                                    submitted_patch = COALESCE(?, submitted_patch),
                                    grading_json = COALESCE(?, grading_json),
                                    eval_duration = COALESCE(?, eval_duration), ended_at = ?
                WHERE id = ?
                """, arguments: [outcome.status.rawValue, exactText(outcome.terminalMessage), outcome.passed,
                                 exactText(outcome.submittedPatch), outcome.gradingJSON, outcome.evalDuration,
                                 date.timeIntervalSince1970, id])
        }
    }

    /// Stores a grading made after the episode ended (e.g. `forager eval`); replaces any earlier one.
    public func recordGrading(episode id: String, passed: Bool, reportJSON: String?,
                              evalDuration: Double?) async throws(TrajectoryError) {
        try validateJSON(reportJSON, field: "grading report", owner: "episode \(id)")
        try await write("recording the grading of episode \(id)") { db in
            try db.execute(sql: """
                UPDATE episodes SET passed = ?, grading_json = ?, eval_duration = ? WHERE id = ?
                """, arguments: [passed, reportJSON, evalDuration, id])
            if db.changesCount == 0 { throw TrajectoryError.episodeNotFound(episode: id) }
        }
    }

    /// Marks one running episode interrupted (its steps stay; `--resume` restarts it).
    public func markInterrupted(episode id: String, at date: Date = Date()) async throws(TrajectoryError) {
        try await write("marking episode \(id) interrupted") { db in
            let episode = try Self.fetchEpisode(db, id: id)
            guard episode.status == .running else { return }
            try db.execute(sql: "UPDATE episodes SET status = 'interrupted', ended_at = ? WHERE id = ?",
                           arguments: [date.timeIntervalSince1970, id])
        }
    }

    static func fetchEpisode(_ db: Database, id: String) throws -> Episode {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM episodes WHERE id = ?", arguments: [id]) else {
            throw TrajectoryError.episodeNotFound(episode: id)
        }
        return try Episode(row: row)
    }

    static func fetchSteps(_ db: Database, episode id: String, attempt: Int?) throws -> [Step] {
        let rows: [Row]
        if let attempt {
            rows = try Row.fetchAll(db, sql: """
                SELECT * FROM steps WHERE episode_id = ? AND attempt = ? ORDER BY step_index
                """, arguments: [id, attempt])
        } else {
            rows = try Row.fetchAll(db, sql: """
                SELECT * FROM steps WHERE episode_id = ? ORDER BY attempt, step_index
                """, arguments: [id])
        }
        return try rows.map { row throws(TrajectoryError) in try Step(row: row) }
    }
}
