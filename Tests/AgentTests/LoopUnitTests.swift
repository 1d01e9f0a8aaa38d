import Agent
import AgentTools
import Foundation
import Testing
import TestSupport

/// A tool whose backend always fails, in an environment that has lived past its lifetime.
struct BrokenTool: AgentTool {
    let name = "bash"
    func run(_ input: String) async throws(ToolBackendError) -> ToolResult { throw ToolBackendError("container gone") }
}

struct OldEnvironment: EpisodeEnvironment {
    let tools = ToolRegistry(tools: [BrokenTool()])
    let identifier = "old-sandbox"
    let startedAt = ContinuousClock.now - .seconds(100)
    func close() async {}
}

@Suite("Episode loop without containers")
struct LoopUnitTests {
    @Test("A backend failure after sandbox_lifetime − 30 s ends the episode as Timeout instead of restarting (spec §1.9)")
    func timeout() async throws {
        var config = EpisodeConfig()
        config.sandboxLifetime = .seconds(60)
        let made = Counter()
        let runner = EpisodeRunner(
            config: config, format: cwm, model: ScriptedModel(format: cwm, turns: [demoTask.instanceID: [bash("ls")]]),
            makeEnvironment: { _, _ in _ = await made.increment(); return OldEnvironment() },
            evaluate: { _, _ in Issue.record("evaluated"); return EvaluationResult(passed: false, reportJSON: "{}") })
        let result = try await runner.run(demoTask)
        #expect(result.termination == .timeout && !result.passed && result.attempts == 1)
        #expect(result.message.hasPrefix("Timeout: ") && result.message.contains("sandbox=old-sandbox")
            && result.message.contains("task=demo__one-1"))
        #expect(await made.value == 1)
    }

    @Test("Cancellation is thrown, not retried")
    func cancellation() async throws {
        let runner = EpisodeRunner(
            format: cwm, model: SlowModel(),
            makeEnvironment: { _, _ in throw TestFailure(description: "unused") },
            evaluate: { _, _ in EvaluationResult(passed: false, reportJSON: "{}") })
        let episode = Task { try await runner.run(demoTask) }
        try await Task.sleep(for: .milliseconds(50))
        episode.cancel()
        await #expect(throws: CancellationError.self) { _ = try await episode.value }
    }

    @Test("An observer that throws stops the episode (the store must not lose steps silently)")
    func observerFailure() async throws {
        struct FailingObserver: EpisodeObserver {
            func episodeStarted(_ start: EpisodeStart) async throws {}
            func stepRecorded(_ step: EpisodeStep) async throws { throw TestFailure(description: "disk full") }
            func episodeEnded(_ end: EpisodeEnd) async throws {}
        }
        let runner = EpisodeRunner(
            format: cwm, model: ScriptedModel(format: cwm, turns: [:]),
            makeEnvironment: { _, _ in throw TestFailure(description: "unused") },
            evaluate: { _, _ in EvaluationResult(passed: false, reportJSON: "{}") }, observer: FailingObserver())
        await #expect(throws: TestFailure.self) { _ = try await runner.run(demoTask) }
    }
}

struct SlowModel: LanguageModel {
    func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        try await Task.sleep(for: .seconds(60))
        return ModelAction(text: "", tokens: [], endedOnStop: false, promptTokens: 0)
    }
}
