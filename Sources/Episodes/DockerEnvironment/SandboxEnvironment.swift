import Agent
import AgentTools
import Foundation
import Sandbox

/// An environment over a Forager sandbox: the persistent shell and the container's files behind
/// CWM's tools.
public struct SandboxEnvironment: EpisodeEnvironment {
    public let sandbox: Sandbox
    public let tools: ToolRegistry
    public let startedAt: ContinuousClock.Instant
    public var identifier: String { sandbox.containerID }

    public init(sandbox: Sandbox, plugins: Bool, startedAt: ContinuousClock.Instant = .now) {
        self.sandbox = sandbox
        self.startedAt = startedAt
        tools = ToolRegistry.swe(session: ContainerShellSession(shell: sandbox.shell),
                                 workspace: ContainerWorkspace(sandbox: sandbox), plugins: plugins)
    }

    /// Takes a started sandbox, scrubs its git history (spec §1.8; unless `scrub` is off) and
    /// wraps it. The sandbox is closed if the scrub fails.
    public static func prepare(_ sandbox: Sandbox, config: EpisodeConfig, scrub: Bool = true) async throws -> SandboxEnvironment {
        let startedAt = ContinuousClock.now
        if scrub {
            do {
                try await sandbox.scrubGitHistory()
            } catch {
                await sandbox.close()
                throw error
            }
        }
        return SandboxEnvironment(sandbox: sandbox, plugins: config.plugins, startedAt: startedAt)
    }

    public func close() async { await sandbox.close() }
}
