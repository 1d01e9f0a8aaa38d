import Agent
import AgentTools
import Foundation
import Sandbox

/// The sandbox's persistent shell as the tools see it.
public struct ContainerShellSession: ShellSession {
    public let shell: PersistentShell

    public init(shell: PersistentShell) { self.shell = shell }

    public func run(_ command: String) async throws(ToolBackendError) -> ShellCommandResult {
        let outcome: PersistentShell.Outcome
        do {
            outcome = try await shell.run(command)
        } catch {
            throw ToolBackendError("\(error)")
        }
        switch outcome {
        case .success(let output, let exitCode):
            return .success(output: TextDecoding.utf8DroppingInvalid(output), exitCode: exitCode)
        case .failure(let failure, let partial):
            let kind = ShellFailureKind(rawValue: failure.rawValue) ?? .other
            return .failure(kind, partialOutput: TextDecoding.utf8DroppingInvalid(partial))
        }
    }
}
