import Foundation
import GRDB

extension Run {
    init(row: Row) throws(TrajectoryError) {
        let id: String = row["id"]
        self.init(
            id: id,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            finishedAt: (row["finished_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            status: try decodeEnum(RunStatus.self, row["status"], field: "status", owner: "run \(id)"),
            configJSON: row["config_json"],
            modelName: row["model_name"],
            backendKind: row["backend_kind"],
            foragerVersion: row["forager_version"],
            tasksFile: row["tasks_file"]
        )
    }
}

extension Episode {
    init(row: Row) throws(TrajectoryError) {
        let id: String = row["id"]
        self.init(
            id: id,
            runID: row["run_id"],
            instanceID: row["instance_id"],
            sampleIndex: row["sample_index"],
            attempt: row["attempt"],
            status: try decodeEnum(EpisodeStatus.self, row["status"], field: "status", owner: "episode \(id)"),
            terminalMessage: row["terminal_message"],
            passed: row["passed"],
            submittedPatch: row["submitted_patch"],
            gradingJSON: row["grading_json"],
            evalDuration: row["eval_duration"],
            startedAt: Date(timeIntervalSince1970: row["started_at"]),
            endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            promptTokens: row["prompt_tokens"],
            completionTokens: row["completion_tokens"],
            source: row["source"],
            taskJSON: row["task_json"],
            taskLine: row["task_line"],
            systemPrompt: row["system_prompt"],
            userPrompt: row["user_prompt"],
            initialObservation: row["initial_observation"]
        )
    }
}

extension Step {
    init(row: Row) throws(TrajectoryError) {
        let episodeID: String = row["episode_id"]
        let index: Int = row["step_index"]
        self.init(
            episodeID: episodeID,
            attempt: row["attempt"],
            index: index,
            role: try decodeEnum(ObservationRole.self, row["role"], field: "role",
                                 owner: "step \(index) of episode \(episodeID)"),
            actionText: row["action_text"],
            toolName: row["tool_name"],
            toolInput: row["tool_input"],
            observationText: row["observation_text"],
            actionTokens: row["action_tokens"],
            observationTokens: row["observation_tokens"],
            promptTokens: row["prompt_tokens"],
            modelDuration: row["model_duration"],
            toolDuration: row["tool_duration"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            observationBody: row["observation_body"],
            servedBy: row["served_by"]
        )
    }
}

private func decodeEnum<E: RawRepresentable>(_ type: E.Type, _ raw: String, field: String,
                                             owner: String) throws(TrajectoryError) -> E where E.RawValue == String {
    guard let value = E(rawValue: raw) else {
        throw .invalidValue(field: field, owner: owner, reason: "unknown value \"\(raw)\"")
    }
    return value
}

/// Rejects JSON text that does not parse, so exports can embed stored JSON verbatim.
func validateJSON(_ text: String?, field: String, owner: String) throws(TrajectoryError) {
    guard let text else { return }
    do {
        _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    } catch {
        throw .invalidJSON(field: field, owner: owner, reason: error.localizedDescription)
    }
}
