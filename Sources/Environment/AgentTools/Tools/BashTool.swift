/// `bash`: runs the call body in the persistent session (spec §2.1).
public struct BashTool: AgentTool {
    public let name = "bash"
    public let session: any ShellSession

    public init(session: any ShellSession) {
        self.session = session
    }

    public func run(_ input: String) async throws(ToolBackendError) -> ToolResult {
        Self.feedback(for: try await session.run(input))
    }

    /// CWM's `bash_feedback_default`: output verbatim on success, whatever the exit code;
    /// otherwise a fixed message per failure kind, with the partial output discarded.
    public static func feedback(for result: ShellCommandResult) -> ToolResult {
        switch result {
        case .success(let output, _):
            return ToolResult(output: output, succeeded: true)
        case .failure(let kind, _):
            return ToolResult(output: failureMessage(for: kind), succeeded: false)
        }
    }

    /// The message the model sees after the session failed.
    public static func failureMessage(for kind: ShellFailureKind) -> String {
        let cause: String
        switch kind {
        case .exit, .brokenPipe, .other:
            cause = "The current session has terminated unexpectedly."
        case .timeout:
            cause = "The current session has terminated due to timeout."
        case .tooLong:
            cause = "The current session has terminated because your previous command produced too much output."
        }
        return cause + " A fresh session has started with the current working directory reset to default."
    }
}
