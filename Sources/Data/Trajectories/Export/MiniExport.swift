import Foundation
import ForagerSupport

/// mini-swe-agent 1.1 trajectories (`<instance_id>/<instance_id>.traj.json`), one per episode.
public enum MiniExport {
    public static let trajectoryFormat = "mini-swe-agent-1.1"

    /// The file path of an instance's trajectory, relative to the output directory.
    public static func relativePath(instanceID: String) -> String {
        let name = FileNames.name(for: instanceID)
        return "\(name)/\(name).traj.json"
    }

    public static func trajectory(run: Run, _ item: EpisodeWithSteps) -> OrderedJSON {
        let episode = item.episode
        let status = exitStatus(episode)
        let submission = OrderedJSON.string(episode.submittedPatch ?? "")
        let info: OrderedJSON = .object([
            ("exit_status", .string(status)),
            ("submission", submission),
            ("model_stats", .object([("instance_cost", .double(0.0)), ("api_calls", .int(item.steps.count))])),
            ("config", .object([
                ("agent", .raw(run.configJSON)),
                ("agent_type", .string("forager")),
                ("model", .object([("model_name", .string(run.modelName))])),
                ("model_type", .string(run.backendKind)),
                ("environment", .object([])),
                ("environment_type", .string("docker")),
            ])),
            ("mini_version", .string("forager-\(run.foragerVersion)")),
        ])
        return .object([
            ("info", info),
            ("messages", .array(messages(item, exitStatus: status))),
            ("trajectory_format", .string(trajectoryFormat)),
            ("instance_id", .string(episode.instanceID)),
        ])
    }

    static func messages(_ item: EpisodeWithSteps, exitStatus: String) -> [OrderedJSON] {
        let episode = item.episode
        var result: [OrderedJSON] = []
        if let system = episode.systemPrompt { result.append(message("system", system)) }
        if let user = episode.userPrompt { result.append(message("user", user)) }
        for step in item.steps {
            let timestamp = OrderedJSON.double(step.createdAt.timeIntervalSince1970)
            let actions: [OrderedJSON] = step.toolName == nil ? [] : [
                .object([("command", .optional(step.toolInput)), ("tool", .optional(step.toolName))]),
            ]
            result.append(message("assistant", step.actionText, extra: [
                ("actions", .array(actions)), ("timestamp", timestamp),
            ]))
            // A chat transcript shows the message body; older steps only have the full observation.
            if let observation = step.observationBody ?? step.observationText {
                var pairs: [(String, OrderedJSON)] = [("role", .string(step.role.rawValue)), ("content", .string(observation))]
                if step.role == .tool { pairs.append(("tool_call_id", .string("call_\(step.index)"))) }
                pairs.append(("extra", .object([("timestamp", timestamp)])))
                result.append(.object(pairs))
            }
        }
        if episode.status.isFinal {
            result.append(message("exit", "", extra: [
                ("exit_status", .string(exitStatus)), ("submission", .string(episode.submittedPatch ?? "")),
            ]))
        }
        return result
    }

    /// mini's exit statuses from Forager's terminal reasons.
    static func exitStatus(_ episode: Episode) -> String {
        let message = episode.terminalMessage ?? ""
        switch episode.status {
        case .running: return "Running"
        case .interrupted: return "Interrupted"
        case .infraError: return "InfraError"
        case .finished, .failed:
            if message.hasPrefix("Max turns") || message.hasPrefix("Context size") { return "LimitsExceeded" }
            if message.hasPrefix("Timeout") { return "TimeExceeded" }
            if message.hasPrefix("Tool call format error") { return "FormatError" }
            if let patch = episode.submittedPatch, !patch.isEmpty { return "Submitted" }
            return episode.status == .failed ? "Failed" : "NoSubmission"
        }
    }

    private static func message(_ role: String, _ content: String, extra: [(String, OrderedJSON)]? = nil) -> OrderedJSON {
        var pairs: [(String, OrderedJSON)] = [("role", .string(role)), ("content", .string(content))]
        if let extra { pairs.append(("extra", .object(extra))) }
        return .object(pairs)
    }
}
