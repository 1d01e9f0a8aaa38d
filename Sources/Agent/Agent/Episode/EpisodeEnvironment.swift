import AgentTools
import Foundation

/// The container side of one episode: its tools, and a way to tear it down. The loop creates it
/// lazily, on the first well-formed tool call (spec §1.8), through an injected factory.
public protocol EpisodeEnvironment: Sendable {
    var tools: ToolRegistry { get }
    /// Names the container in messages (CWM's sandbox id).
    var identifier: String { get }
    /// When the container started; a backend failure after `sandboxLifetime − 30 s` is a timeout.
    var startedAt: ContinuousClock.Instant { get }
    /// Removes the container. Safe to call twice; runs to completion when cancelled.
    func close() async
}

/// Makes the environment of an episode. A throw is a backend failure: the episode restarts.
public typealias EnvironmentFactory = @Sendable (EpisodeTask, EpisodeConfig) async throws -> any EpisodeEnvironment

/// The outcome of scoring a submitted patch in a fresh container (spec §4), computed by the
/// injected evaluator (the `Grading` module in the CLI).
public struct EvaluationResult: Sendable, Hashable {
    public var passed: Bool
    /// The SWE-bench-shaped report, as JSON text.
    public var reportJSON: String
    /// CWM's evaluation message (info.message), cut to 102,400 characters by the loop.
    public var message: String

    public init(passed: Bool, reportJSON: String, message: String = "") {
        self.passed = passed
        self.reportJSON = reportJSON
        self.message = message
    }
}

/// Scores `patch` for `task`. Grading failures are results; a throw is a backend failure.
public typealias Evaluator = @Sendable (_ task: EpisodeTask, _ patch: String) async throws -> EvaluationResult
