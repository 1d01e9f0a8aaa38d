import Agent
import AgentTools
import Foundation
import Testing
import TestSupport

/// Spec §8 behaviours 15–33, driven by scripted turns against real containers on the base image.
/// Grading is faked (see `fakeEvaluator`): it is tested in GradingTests.
@Suite("Episode loop behaviours (spec §8, 15–33)", .serialized, .enabled { await dockerTestsEnabled() })
struct LoopBehaviourTests {
    @Test("15: non-strict, before any submit, a format error is a user message with no <output> and no <budget>")
    func behaviour15() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 3
        let h = Harness(turns: [turn("I will just talk.")], config: config)
        let result = try await h.run()
        let first = try #require(await h.steps.first)
        #expect(!first.terminal)
        #expect(first.kind == .formatError("FormatError: No tool calls found"))
        #expect(first.observation.text == userMessage("FormatError: No tool calls found") + assistantPrefixText)
        #expect(!first.observation.text.contains("<output>") && !first.observation.text.contains("<budget>"))
        #expect(result.termination == .maxTurns)
    }

    @Test("16: strict, before any submit, a format error is terminal: Tool call format error: FormatError: No tool calls found")
    func behaviour16() async throws {
        var config = EpisodeConfig()
        config.strictFormat = true
        let h = Harness(turns: [turn("No tools today.")], config: config)
        let result = try await h.run()
        #expect(result.termination == .formatError && !result.passed)
        #expect(result.message == "Tool call format error: FormatError: No tool calls found")
        let steps = await h.steps
        #expect(steps.count == 1 && steps[0].terminal && steps[0].info.message == result.message)
        #expect(await h.evaluations.value == 0)
    }

    @Test("17: a successful submit is not terminal; the next observation is tool: submit with the submission feedback in <output>")
    func behaviour17() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 4
        let h = Harness(turns: [makePatch, submitPatch, finalAnswer], config: config)
        _ = try await h.run()
        let steps = await h.steps
        let submitStep = steps[1]
        #expect(!submitStep.terminal)
        #expect(submitStep.kind == .tool(name: "submit", succeeded: true))
        let text = submitStep.observation.text
        #expect(text.hasPrefix("<|start_header_id|>tool: submit<|end_header_id|>\n\n<output>\n"
            + "The following patch content is marked as your final submission:\n\n<submission>\ndiff --git a/a.py b/a.py\n"))
        let patch = try #require(steps.last?.info.predPatch)
        #expect(text.contains("<output>\n" + ToolOutputFormat.submissionFeedback(patch: patch) + "\n</output>\n\n<budget>\n* Remaining turns: 2\n"))
    }

    @Test("18: after a successful submit, a turn without a tool call is terminal and the patch is evaluated")
    func behaviour18() async throws {
        let h = Harness(turns: [makePatch, submitPatch, finalAnswer])
        let result = try await h.run()
        #expect(result.termination == .finalAnswer && result.passed)
        #expect(await h.evaluations.value == 1)
        let last = try #require(await h.steps.last)
        #expect(last.terminal && last.passed)
        #expect((last.info.evalDuration ?? -1) >= 0)
        #expect(last.info.predPatch?.hasPrefix("diff --git a/a.py b/a.py") == true)
        #expect(last.info.message == "Tests passed")
        #expect(last.info.reportJSON?.contains("resolved") == true)
    }

    @Test("19: strict, after a submit, a final answer without ## is terminal and not evaluated; with ## it is evaluated")
    func behaviour19() async throws {
        var config = EpisodeConfig()
        config.strictFormat = true
        let without = Harness(turns: [makePatch, submitPatch, turn("Done, it works.")], config: config)
        let r1 = try await without.run()
        #expect(r1.termination == .formatError && !r1.passed && r1.predictedPatch == nil)
        #expect(r1.message == "Tool call format error: FormatError: No tool calls found")
        #expect(await without.evaluations.value == 0)

        let with = Harness(turns: [makePatch, submitPatch, finalAnswer], config: config)
        let r2 = try await with.run()
        #expect(r2.termination == .finalAnswer && r2.passed)
        #expect(await with.evaluations.value == 1)
    }

    @Test("20: after a submit, two tool calls or an unknown tool end the episode with an evaluation (non-strict)")
    func behaviour20() async throws {
        let two = Harness(turns: [makePatch, submitPatch, turn("<tool: bash>\nls\n</tool>\n<tool: bash>\npwd\n</tool>")])
        let r1 = try await two.run()
        #expect(r1.termination == .finalAnswer && r1.passed)
        #expect(await two.evaluations.value == 1)

        let unknown = Harness(turns: [makePatch, submitPatch, turn("<tool: python>\nprint(1)\n</tool>")])
        let r2 = try await unknown.run()
        #expect(r2.termination == .finalAnswer && r2.passed)
        #expect(await unknown.evaluations.value == 1)
        #expect(await unknown.steps.last?.toolCall == ToolCall(name: "python", input: "print(1)"))
    }

    @Test("21: after a submit, in think mode, a turn with no </think> is not terminal (user-message feedback)")
    func behaviour21() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 5
        let h = Harness(turns: [makePatch, submitPatch, "## Done without closing the thought."], config: config)
        _ = try await h.run()
        let steps = await h.steps
        #expect(!steps[2].terminal)
        #expect(steps[2].observation.text
            == userMessage("FormatError: Expected exactly one thinking end token, got 0") + assistantPrefixText)
        #expect(await h.evaluations.value == 0)
    }

    @Test("22: a later failed submit keeps the earlier patch; a later successful submit replaces it")
    func behaviour22() async throws {
        let h = Harness(turns: [
            makePatch, submitPatch,
            submit("/tmp/missing.patch"),
            bash("printf 'not a diff\\n' > /tmp/bad.patch"), submit("/tmp/bad.patch"),
            finalAnswer,
        ])
        let r1 = try await h.run()
        #expect(r1.predictedPatch?.contains("+    return 2") == true && r1.passed)
        let steps = await h.steps
        #expect(steps[2].observation.text.contains("Failed to submit /tmp/missing.patch. Make sure it exists and is readable."))
        #expect(steps[4].observation.text.contains("Failed to submit /tmp/bad.patch. It is not a valid diff file."))

        let replaced = Harness(turns: [
            makePatch, submitPatch,
            bash("sed -i 's/return 2/return 3/' a.py && git diff > /tmp/fix2.patch"), submit("/tmp/fix2.patch"),
            finalAnswer,
        ])
        let r2 = try await replaced.run()
        #expect(r2.predictedPatch?.contains("+    return 3") == true)
        #expect(!r2.passed)
    }

    @Test("23: the first observation after the first tool call contains * Remaining turns: 127")
    func behaviour23() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 128
        let h = Harness(turns: [bash("ls"), makePatch, submitPatch, finalAnswer], config: config)
        _ = try await h.run()
        #expect(await h.steps[0].observation.text.contains("* Remaining turns: 127\n"))
    }

    @Test("24: Remaining tokens = context_size − tokens so far (incl. this action) − the estimated feedback, possibly negative")
    func behaviour24() async throws {
        let action = bash("echo hi")
        let h0 = Harness(turns: [])
        let initial = h0.runner.initialObservation(demoTask).observation.count
        let actionTokens = cwm.encode(action).count + 1
        let estimate = cwm.tokenCount(ChatMessage(.tool("bash"), ToolOutputFormat.estimationBody(feedback: "hi\n")))

        let h = Harness(turns: [action, makePatch, submitPatch, finalAnswer])
        _ = try await h.run()
        let expected = 131_072 - (initial + actionTokens) - estimate
        #expect(await h.steps[0].observation.text.contains("* Remaining tokens: \(expected)\n"))

        // A context that the estimate overshoots: the notice goes negative.
        var config = EpisodeConfig()
        config.contextSize = initial + actionTokens + 5
        let tight = Harness(turns: [action], config: config)
        let result = try await tight.run()
        // The system prompt states the context size, so the initial observation changes with it.
        let tightInitial = tight.runner.initialObservation(demoTask).observation.count
        let negative = config.contextSize - (tightInitial + actionTokens) - estimate
        #expect(negative < 0)
        let tightText = await tight.steps[0].observation.text
        #expect(tightText.contains("* Remaining tokens: \(negative)\n"), "\(tightText)")
        #expect(result.termination == .contextExceeded)
    }

    @Test("25: the tool message body is exactly <output>\\n{out}\\n</output>\\n\\n<budget>…</budget>")
    func behaviour25() async throws {
        let h = Harness(turns: [bash("echo hi"), makePatch, submitPatch, finalAnswer])
        _ = try await h.run()
        let text = await h.steps[0].observation.text
        let pattern = try Regex(#"^<\|start_header_id\|>tool: bash<\|end_header_id\|>\n\n<output>\nhi\n\n</output>\n\n<budget>\n\* Remaining turns: 127\n\* Remaining tokens: -?\d+\n</budget><\|eot_id\|>"#)
        #expect(text.prefixMatch(of: pattern) != nil, "\(text)")
        #expect(text.hasSuffix(assistantPrefixText))
    }

    @Test("26: the 128th action is terminal with Max turns reached, even a valid final answer after a submit")
    func behaviour26() async throws {
        let turns = [makePatch, submitPatch] + Array(repeating: bash("true"), count: 125) + [finalAnswer]
        #expect(turns.count == 128)
        let h = Harness(turns: turns)
        let result = try await h.run()
        #expect(result.termination == .maxTurns && !result.passed && result.message == "Max turns reached")
        #expect(result.steps == 128 && result.predictedPatch == nil)
        #expect(await h.evaluations.value == 0)
        let steps = await h.steps
        #expect(steps[126].observation.text.contains("* Remaining turns: 1\n"))
        #expect(steps[127].terminal && steps[127].info.message == "Max turns reached" && steps[127].info.predPatch == nil)
    }

    @Test("27: an action that pushes the total above the context size is terminal, Context size exceeded: N > M, not evaluated")
    func behaviour27() async throws {
        var config = EpisodeConfig()
        config.contextSize = 4000
        let essay = turn("## Summary\n" + String(repeating: "The fix is complete and verified. ", count: 1000))
        let h = Harness(turns: [makePatch, submitPatch, essay], config: config)
        let result = try await h.run()
        #expect(result.termination == .contextExceeded && !result.passed)
        #expect(result.contextTokens > 4000)
        #expect(result.message == "Context size exceeded: \(result.contextTokens) > 4000")
        #expect(result.predictedPatch == nil && result.lastSubmittedPatch != nil)
        #expect(await h.evaluations.value == 0)
    }

    @Test("28: an action not ending in <|eot_id|> (cut by max_gen) makes the next observation start with the eot token")
    func behaviour28() async throws {
        var config = EpisodeConfig()
        config.maxActionLength = 12
        config.maxTurns = 3
        let h = Harness(turns: [turn(String(repeating: "words ", count: 40)), "x\n</think>\nok"], config: config)
        _ = try await h.run()
        let steps = await h.steps
        #expect(!steps[0].action.endedOnStop && steps[0].action.tokens.count == 12)
        #expect(steps[0].observation.tokens.first == cwm.endOfTurnID)
        #expect(steps[0].observation.text.hasPrefix(eot + "<|start_header_id|>user<|end_header_id|>"))
        #expect(steps[1].action.endedOnStop)
        #expect(steps[1].observation.text.hasPrefix("<|start_header_id|>user<|end_header_id|>"))
    }

    @Test("29: every observation ends with the assistant header and <think>\\n in think-tag mode")
    func behaviour29() async throws {
        let h = Harness(turns: [turn("no tool"), bash("ls"), makePatch, submitPatch, finalAnswer])
        _ = try await h.run()
        #expect(await h.recorder.starts[0].observation.text.hasSuffix(assistantPrefixText))
        let steps = await h.steps
        for step in steps where !step.terminal {
            #expect(step.observation.text.hasSuffix(assistantPrefixText))
        }
        #expect(steps.count == 5)
    }

    @Test("30: a tool output over max_user_turn_len tokens is cut to fit, ends with [...], and loses the budget notice")
    func behaviour30() async throws {
        var config = EpisodeConfig()
        config.maxUserTurnLength = 300
        config.maxTurns = 3
        let h = Harness(turns: [bash("seq 1 3000")], config: config)
        _ = try await h.run()
        let step = await h.steps[0]
        let message = step.observation.text.dropLast(assistantPrefixText.count)
        #expect(message.hasPrefix("<|start_header_id|>tool: bash<|end_header_id|>\n\n<output>\n1\n2\n3\n"))
        #expect(message.hasSuffix("[...]" + eot))
        #expect(!message.contains("<budget>"))
        let messageTokens = step.observation.count - cwm.generationPrefix("<think>\n").count
        #expect(messageTokens <= 300 + 2, "re-encoding the cut body may merge a token or two differently")
    }

    @Test("31: a user prompt over max_prompt_len tokens keeps its tail and starts with [...]")
    func behaviour31() async throws {
        var config = EpisodeConfig()
        config.maxPromptLength = 120
        let runner = Harness(turns: [], config: config).runner
        let (observation, _, user) = runner.initialObservation(demoTask)
        #expect(user.hasPrefix("[...]"))
        #expect(user.hasSuffix("with the current working directory set to the repo root.\n"))
        let message = cwm.encode(ChatMessage(.user, user))
        #expect(message.count <= 120 + 2)
        #expect(observation.text.contains(userMessage(user.trimmingCharacters(in: .whitespacesAndNewlines))))
        // Under the limit nothing changes.
        let full = Harness(turns: []).runner.initialObservation(demoTask).user
        #expect(full.hasPrefix("Solve the following issue"))
    }

    @Test("32: no container is created while every turn so far failed to parse")
    func behaviour32() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 6
        let h = Harness(turns: [turn("thinking aloud"), "no think end", turn("<tool: bash>\n</tool>"), bash("pwd")], config: config)
        _ = try await h.run()
        #expect(await h.recorder.sandboxesAtStep == [0, 0, 0, 1, 1, 1])
        #expect(await h.sandboxes.value == 1)
        #expect(await h.steps[3].observation.text.contains("<output>\n/testbed\n\n</output>"))
    }

    @Test("33: a backend exception restarts the episode from scratch; after 4 failed attempts the datum is dropped")
    func behaviour33() async throws {
        // Fails twice, then works: the third attempt replays the script from its first turn.
        let flaky = Harness(turns: [makePatch, submitPatch, finalAnswer], failFirstSandboxes: 2)
        let r1 = try await flaky.run()
        #expect(r1.termination == .finalAnswer && r1.passed && r1.attempts == 3 && r1.failures.count == 2)
        #expect(await flaky.recorder.starts.map(\.attempt) == [1, 2, 3])

        let broken = Harness(turns: [makePatch, submitPatch, finalAnswer], failFirstSandboxes: 100)
        let r2 = try await broken.run()
        #expect(r2.termination == .dropped && !r2.passed && r2.attempts == 4)
        #expect(await broken.sandboxes.value == 4)
        let ends = await broken.recorder.ends
        #expect(ends.count == 5)
        if case .attemptFailed(_, let attempt, _, let willRetry) = ends[3] { #expect(attempt == 4 && !willRetry) } else { Issue.record("\(ends[3])") }
        if case .dropped = ends[4] {} else { Issue.record("\(ends[4])") }

        // A model backend that throws is a backend failure too.
        let failing = Harness(turns: [], model: FailingModel())
        let r3 = try await failing.run()
        #expect(r3.termination == .dropped && r3.attempts == 4 && r3.failures.allSatisfy { $0.hasPrefix("model:") })
    }
}

@Suite("Episode loop in ChatML (the default model's format)", .enabled { await dockerTestsEnabled() })
struct ChatMLEpisodeTests {
    @Test("A whole episode in ChatML over SmolLM2's tokenizer: tool messages, the newline after <|im_end|>, evaluation")
    func episode() async throws {
        let h = Harness(turns: [bash("echo hi"), makePatch, submitPatch, finalAnswer], format: chatML)
        let result = try await h.run()
        #expect(result.termination == .finalAnswer && result.passed)
        let first = await h.steps[0]
        #expect(first.observation.text.hasPrefix("\n<|im_start|>tool: bash\n<output>\nhi\n\n</output>\n\n<budget>\n* Remaining turns: 127\n"))
        #expect(first.observation.text.hasSuffix("</budget><|im_end|>\n<|im_start|>assistant\n<think>\n"))
        let start = await h.recorder.starts[0].observation
        #expect(start.text.hasPrefix("<|im_start|>system\nYou are a helpful AI assistant."))
        // The context is exactly the concatenation of the observations and actions.
        let steps = await h.steps
        let total = start.count + steps.reduce(0) { $0 + $1.action.tokens.count + $1.observation.count }
        #expect(result.contextTokens == total)
    }
}

@Suite("Ending a turn after its tool call (--stop-after-tool-call)", .enabled { await dockerTestsEnabled() })
struct StopAfterToolCallTests {
    /// Two calls after a thought that itself shows a call: CWM rejects the turn.
    let twoCalls = turn("<tool: bash>\necho one\n</tool>\n<tool: bash>\necho two\n</tool>",
                        thought: "Maybe <tool: bash>\nls\n</tool> first.")

    @Test("On: the first call after </think> runs, the rest of the turn is dropped, the next observation closes the turn")
    func on() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 2
        config.stopAfterToolCall = true
        let h = Harness(turns: [twoCalls], config: config, format: chatML)
        _ = try await h.run()
        let first = try #require(await h.steps.first)
        #expect(first.kind == .tool(name: "bash", succeeded: true))
        #expect(first.toolCall == ToolCall(name: "bash", input: "echo one"))
        #expect(first.action.text.hasSuffix("</think>\n<tool: bash>\necho one\n</tool>") && first.action.endedOnStop)
        #expect(first.action.tokens == chatML.encode(first.action.text))
        #expect(first.observation.text.hasPrefix("<|im_end|>\n<|im_start|>tool: bash\n<output>\none\n\n</output>"))
    }

    @Test("Off (CWM): the same turn is a format error naming both calls")
    func off() async throws {
        var config = EpisodeConfig()
        config.maxTurns = 2
        let h = Harness(turns: [twoCalls], config: config, format: chatML)
        _ = try await h.run()
        let first = try #require(await h.steps.first)
        #expect(first.kind == .formatError(
            "FormatError: Expected one tool call, but found 2: bash, bash. Ensure only one <tool:...></tool> block is present in the response."))
    }
}

struct FailingModel: LanguageModel {
    func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        throw TestFailure(description: "the endpoint is down")
    }
}
