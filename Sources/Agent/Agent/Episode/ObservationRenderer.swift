import AgentTools

/// How the loop turns a tool result or a format error into what the model reads next (spec §1.5,
/// §1.6–1.7, §1.10). Shared by the loop and `forager replay`, so a replayed observation is
/// rendered exactly as the recorded one was.
public struct ObservationRenderer: Sendable {
    public var config: EpisodeConfig
    public var format: any ChatFormat

    public init(config: EpisodeConfig, format: any ChatFormat) {
        self.config = config
        self.format = format
    }

    /// The tool message after action `stepID` (1-based), with `contextTokens` in the context (the
    /// action included): wrapped output, budget notice, truncated to `maxUserTurnLength`.
    public func toolMessage(tool name: String, output: String, stepID: Int, contextTokens: Int) -> ChatMessage {
        let estimate = min(format.tokenCount(ChatMessage(.tool(name), ToolOutputFormat.estimationBody(feedback: output))),
                           config.maxUserTurnLength)
        let body = ToolOutputFormat.toolMessageBody(
            feedback: output, remainingTurns: config.maxTurns - stepID,
            remainingTokens: config.contextSize - contextTokens - estimate)
        return format.truncated(ChatMessage(.tool(name), body), to: config.maxUserTurnLength, side: .right)
    }

    /// The user message that reports a format error (non-strict mode).
    public func formatErrorMessage(_ rendered: String) -> ChatMessage {
        format.truncated(ChatMessage(.user, rendered), to: config.maxUserTurnLength, side: .right)
    }

    /// The observation: the end-of-turn lead when the action did not end on it, the message, the
    /// assistant prefix (and the think-token opener in think-token mode).
    public func observation(afterActionEndingWith last: Int?, message: ChatMessage) -> TokenizedText {
        var observation = format.observationLead(afterActionEndingWith: last) + format.encode(message)
            + format.generationPrefix(config.assistantPrefix)
        if config.usesThinkToken { observation += format.thinkingStart }
        return observation
    }
}
