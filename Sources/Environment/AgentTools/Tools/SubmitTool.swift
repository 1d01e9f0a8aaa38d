import ForagerSupport

/// `submit`: reads the named file with `cat` in the persistent session (spec §1.7).
///
/// The path is the stripped body and is deliberately not quoted, as in CWM, so shell expansion
/// applies and a relative path follows the session's current directory.
public struct SubmitTool: AgentTool {
    /// What a submission must be.
    public enum Kind: Sendable, Hashable {
        /// A git diff (the SWE env): non-empty and starting with `diff`.
        case diffFile
        /// Any readable file (the test-generation env).
        case file
    }

    public let name = "submit"
    public let session: any ShellSession
    public let kind: Kind

    public init(session: any ShellSession, kind: Kind = .diffFile) {
        self.session = session
        self.kind = kind
    }

    public func run(_ input: String) async throws(ToolBackendError) -> ToolResult {
        let path = PythonText.strip(input)
        let result = try await session.run("cat \(path)")
        guard case .success(let text, let exitCode) = result, exitCode == 0 else {
            // An unknown exit code counts as a failure: CWM uses -1 when it cannot read it.
            return failure("Failed to submit \(path). Make sure it exists and is readable.")
        }
        switch kind {
        case .file:
            return ToolResult(
                output: ToolOutputFormat.testSubmissionFeedback(test: text), succeeded: true, submittedPatch: text)
        case .diffFile:
            if PythonText.isBlank(text) {
                return failure("Failed to submit \(path). It is an empty file.")
            }
            if !text.unicodeScalars.starts(with: "diff".unicodeScalars) {
                return failure("Failed to submit \(path). It is not a valid diff file.")
            }
            return ToolResult(
                output: ToolOutputFormat.submissionFeedback(patch: text), succeeded: true, submittedPatch: text)
        }
    }

    private func failure(_ message: String) -> ToolResult {
        ToolResult(output: message, succeeded: false)
    }
}
