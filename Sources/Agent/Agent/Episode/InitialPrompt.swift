import AgentTools
import ForagerSupport

/// The system and user prompts of an episode (spec §1.2).
public enum InitialPrompt {
    /// The model card's short system descriptions (protocol text).
    public static let thinkTagDescription =
        "You are a helpful AI assistant. You always reason before responding, using the following format:\n\n<think>\nyour internal reasoning\n</think>\nyour external response"
    public static let thinkTokenDescription = "You are a helpful AI assistant. You always reason before responding."
    public static let plainDescription = "You are a helpful AI assistant."

    public static func description(_ config: EpisodeConfig) -> String {
        guard config.think else { return plainDescription }
        return config.useThinkTag ? thinkTagDescription : thinkTokenDescription
    }

    /// Description + `\n\n# Environment\n\n` + the environment text (stripped).
    public static func system(_ config: EpisodeConfig, templates: PromptTemplates) -> String {
        let seconds = Int(config.sessionTimeout.components.seconds)
        let environment = PromptTemplates.fill(templates.environment, [
            "session_timeout": "\(seconds)-second",
            "context_size": "\(config.contextSize)",
            "max_turns": "\(config.maxTurns)",
            "tool_specifications": ToolSpecs.specifications(plugins: config.plugins),
        ])
        return description(config) + "\n\n# Environment\n\n" + PythonText.strip(environment)
    }

    /// The issue template filled with the issue (and the test-patch hint when on) and repo root.
    public static func user(_ task: EpisodeTask, config: EpisodeConfig, templates: PromptTemplates) -> String {
        var issue = task.issue
        if config.testPatchHint, let patch = task.testPatch {
            issue = rstrip(issue) + "\n\n" + PromptTemplates.fill(templates.testPatchHint, ["test_patch": patch])
        }
        return PromptTemplates.fill(templates.issue, ["issue": issue, "repo_root": task.repoRoot])
    }

    private static func rstrip(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, PythonText.isSpace(last) { scalars.removeLast() }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
