/// Why a command in the persistent shell failed (spec §2.1 `error_type`). Any failure ends the
/// session; the next command runs in a fresh shell back at the default directory.
public enum ShellFailureKind: String, Sendable, Hashable, CaseIterable {
    /// The command did not finish within the per-command timeout.
    case timeout
    /// The shell process died (for example `exit 3`).
    case exit
    /// The output exceeded the session's output cap (480 KiB in CWM).
    case tooLong = "too_long"
    /// Writing the command to the shell failed.
    case brokenPipe = "broken_pipe"
    /// Anything else.
    case other
}

/// The result of one command in the persistent shell.
public enum ShellCommandResult: Sendable, Hashable {
    /// The command ran to completion. `output` is stdout and stderr merged, decoded as UTF-8 with
    /// invalid bytes dropped, with its trailing newline kept. `exitCode` is nil when unknown.
    case success(output: String, exitCode: Int?)
    /// The session failed and has been restarted. `partialOutput` is what had arrived; the tools
    /// never show it to the model.
    case failure(ShellFailureKind, partialOutput: String)
}

/// The infrastructure behind a session or workspace failed (container gone, engine
/// unreachable). This is not tool feedback: the agent loop treats it as a backend exception.
public struct ToolBackendError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The episode's single persistent shell (CWM's `run_session`), in which the bash tool runs
/// commands and submit reads the patch. Implementations keep the working directory (and, for
/// real sessions, exported variables) between commands.
public protocol ShellSession: Sendable {
    /// Runs one command. Command failures (timeout, exit, …) are results; only infrastructure
    /// failures throw.
    func run(_ command: String) async throws(ToolBackendError) -> ShellCommandResult
}
