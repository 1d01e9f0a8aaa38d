import Agent
import ArgumentParser

/// The episode loop's limits and modes, shared by every command that runs episodes (`run`,
/// `forage`); defaults as CWM's SWE-bench Verified configuration.
struct EpisodeOptions: ParsableArguments {
    @Option(help: "Turn limit (CWM: 128; the 128th action is not executed, as in CWM).")
    var maxTurns = 128

    @Option(help: "Context limit in tokens (CWM: 131072; the in-process engine: the model's window, 8192 for the default model).")
    var contextSize: Int?

    @Option(help: "Tokens a model turn may generate at most.")
    var maxActionTokens = 65_536

    @Flag(help: "Think-tag mode (<think> … </think>), as CWM's SWE-bench evaluation.")
    var think = false

    @Flag(help: "Strict format: a malformed turn ends the episode.")
    var strict = false

    /// The loop's configuration: these flags, the backend's window when no `--context-size` is
    /// given (131072 when it has none), and the sandbox's session timeout and lifetime.
    func config(backendContextLength: Int?, sandbox: SandboxOptions) -> EpisodeConfig {
        var episode = EpisodeConfig()
        episode.maxTurns = maxTurns
        episode.contextSize = contextSize ?? backendContextLength ?? 131_072
        episode.maxActionLength = maxActionTokens
        episode.think = think
        episode.useThinkTag = think
        episode.strictFormat = strict
        episode.sessionTimeout = sandbox.shellOptions.commandTimeout
        episode.sandboxLifetime = .seconds(sandbox.lifetime)
        return episode
    }
}
