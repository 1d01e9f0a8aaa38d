/// What a tool call produced.
public struct ToolResult: Sendable, Hashable {
    /// The feedback the model sees (before `<output>` wrapping). For edit and create this is the
    /// plugin's printed message, so it ends with the `\n` that Python's `print` adds.
    public var output: String
    /// CWM's internal success flag. The model never sees it.
    public var succeeded: Bool
    /// For a successful submit: the raw text of the submitted file (trailing newline included).
    public var submittedPatch: String?

    public init(output: String, succeeded: Bool, submittedPatch: String? = nil) {
        self.output = output
        self.succeeded = succeeded
        self.submittedPatch = submittedPatch
    }
}

/// A tool the model can call by name.
public protocol AgentTool: Sendable {
    /// The name used in `<tool: name>`.
    var name: String { get }
    /// Runs the tool on the unstripped call body. Tool-level failures are results with
    /// `succeeded == false`; only infrastructure failures throw.
    func run(_ input: String) async throws(ToolBackendError) -> ToolResult
}
