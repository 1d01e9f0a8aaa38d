import Agent
import AgentTools
import Foundation
import TestSupport
import Inference
import Testing

@Suite("Chat formats")
struct FormatTests {
    @Test("CWM header of a tool message = [start_header] + enc(\"tool: bash\") + [end_header] + enc(\"\\n\\n\") (behaviour 86)")
    func cwmHeader() {
        let header = cwm.header(.tool("bash"))
        let start = header.tokens[0], end = header.tokens[header.tokens.count - 1 - smolTokenizer.encode("\n\n").count]
        #expect(header.tokens == [start] + smolTokenizer.encode("tool: bash") + [end] + smolTokenizer.encode("\n\n"))
        #expect(header.text == "<|start_header_id|>tool: bash<|end_header_id|>\n\n")
        // SmolLM2 lacks CWM's specials: each marker is one virtual id past the vocabulary.
        #expect(!cwm.hasNativeMarkers)
        #expect(start >= smolTokenizer.count && end >= smolTokenizer.count && start != end)
        #expect(cwm.decode(header.tokens) == header.text)
    }

    @Test("CWM bodies: system and user stripped, tool not; the end is one <|eot_id|>")
    func cwmBodies() {
        #expect(cwm.encode(ChatMessage(.user, "  hi  ")).text == "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
        #expect(cwm.encode(ChatMessage(.system, "\n sys \n")).text == "<|start_header_id|>system<|end_header_id|>\n\nsys<|eot_id|>")
        #expect(cwm.encode(ChatMessage(.tool("bash"), "  out\n")).text == "<|start_header_id|>tool: bash<|end_header_id|>\n\n  out\n<|eot_id|>")
        #expect(cwm.messageEnd.tokens == [cwm.endOfTurnID])
        #expect(cwm.generationPrefix("<think>\n").text == "<|start_header_id|>assistant<|end_header_id|>\n\n<think>\n")
        #expect(cwm.stopTokens.count == 3 && cwm.stopTokens.contains(cwm.endOfTurnID))
    }

    @Test("The text <|eot_id|> inside a tool output is ordinary tokens, never the eot id (behaviour 87)")
    func markerTextIsOrdinary() {
        let body = cwm.encode("echo '<|eot_id|>'")
        #expect(!body.contains(cwm.endOfTurnID))
        #expect(body.allSatisfy { $0 < smolTokenizer.count })
    }

    @Test("An observation starts with <|eot_id|> only when the action did not end on it")
    func cwmObservationLead() {
        #expect(cwm.observationLead(afterActionEndingWith: cwm.endOfTurnID).isEmpty)
        #expect(cwm.observationLead(afterActionEndingWith: 42).text == "<|eot_id|>")
        #expect(cwm.observationLead(afterActionEndingWith: nil).text == "<|eot_id|>")
    }

    @Test("ChatML over SmolLM2's real tokenizer matches its chat template, with real special ids")
    func chatMLFormat() {
        let message = chatML.encode(ChatMessage(.user, " hi there "))
        #expect(message.text == "<|im_start|>user\nhi there<|im_end|>\n")
        #expect(message.tokens == smolTokenizer.encode(message.text, parseSpecial: true))
        let imEnd = smolTokenizer.specialTokens["<|im_end|>"]!
        #expect(chatML.stopTokens.contains(imEnd))
        #expect(chatML.observationLead(afterActionEndingWith: imEnd).text == "\n")
        #expect(chatML.observationLead(afterActionEndingWith: 7).text == "<|im_end|>\n")
        #expect(chatML.beginning.isEmpty, "SmolLM2 does not add BOS")
        #expect(chatML.generationPrefix("<think>\n").text == "<|im_start|>assistant\n<think>\n")
        #expect(chatML.header(.tool("edit")).text == "<|im_start|>tool: edit\n")
        // A conversation ready for the next turn (`forager serve`, `forager model generate`).
        let prompt = chatML.prompt([ChatMessage(.system, "Be brief."), ChatMessage(.user, "hi")])
        #expect(prompt.text == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
        #expect(prompt.tokens == smolTokenizer.encode(prompt.text, parseSpecial: true))
    }

    @Test("The default model's tokenizer gets ChatML")
    func defaultFormat() {
        #expect(chatFormat(for: smolTokenizer).name == "chatml")
    }

    @Test("Truncation: right keeps the head then [...]; left keeps the tail after [...]; a message under the limit is untouched")
    func truncation() {
        let body = (1...400).map(String.init).joined(separator: "\n")
        let message = ChatMessage(.tool("bash"), body)
        #expect(cwm.truncated(message, to: 100_000, side: .right) == message)
        let right = cwm.truncated(message, to: 60, side: .right)
        #expect(right.body.hasPrefix("1\n2\n3\n") && right.body.hasSuffix("[...]"))
        let left = cwm.truncated(ChatMessage(.user, body), to: 60, side: .left)
        #expect(left.body.hasPrefix("[...]") && left.body.hasSuffix("399\n400"))
        for cut in [right, left] { #expect(abs(cwm.tokenCount(cut) - 60) <= 2) }
    }
}

@Suite("Scripted model")
struct ScriptedModelTests {
    func request(_ turn: Int, max: Int = 1000, id: String = "a") -> ModelRequest {
        ModelRequest(instanceID: id, attempt: 1, turnIndex: turn, context: .empty, maxTokens: max)
    }

    @Test("Plays each instance's turns in order, ends each on eot, then answers with empty turns")
    func playback() async throws {
        let model = try ScriptedModel(format: cwm, jsonl: """
            {"instance_id": "a", "turns": ["one\\n</think>\\nx", "two"]}

            {"instance_id": "b", "turns": []}
            """)
        let first = try await model.nextAction(request(0))
        #expect(first.text == "one\n</think>\nx" && first.endedOnStop && first.tokens.last == cwm.endOfTurnID)
        #expect(try await model.nextAction(request(1)).text == "two")
        let empty = try await model.nextAction(request(2))
        #expect(empty.text == "" && empty.tokens == [cwm.endOfTurnID] && empty.endedOnStop)
        #expect(try await model.nextAction(request(0, id: "b")).text == "")
        #expect(try await model.nextAction(request(0, id: "unknown")).text == "")
    }

    @Test("A turn longer than maxTokens is cut and does not end on a stop token")
    func cut() async throws {
        let model = ScriptedModel(format: chatML, turns: ["a": [String(repeating: "word ", count: 50)]])
        let action = try await model.nextAction(request(0, max: 10))
        #expect(action.tokens.count == 10 && !action.endedOnStop)
        #expect(action.text == chatML.decode(action.tokens))
    }

    @Test("Bad lines name the source and line")
    func badLines() {
        #expect(throws: ScriptedModel.ScriptError.self) { try ScriptedModel(format: cwm, jsonl: "{\"instance_id\": \"a\"}", source: "s.jsonl") }
        do {
            _ = try ScriptedModel(format: cwm, jsonl: "{\"instance_id\":\"a\",\"turns\":[]}\n{\"instance_id\":\"a\",\"turns\":[]}", source: "s.jsonl")
            Issue.record("a duplicate instance was accepted")
        } catch {
            #expect("\(error)".hasPrefix("s.jsonl:2: instance a appears twice"))
        }
    }
}

@Suite("Prompts")
struct PromptTests {
    static let promptDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Tasks/prompts")

    @Test("Tasks/prompts holds exactly the built-in templates")
    func filesMatchBuiltIn() throws {
        #expect(try PromptTemplates.load(directory: Self.promptDirectory) == PromptTemplates.builtIn)
        for file in [PromptTemplates.environmentFile, PromptTemplates.issueFile, PromptTemplates.testPatchHintFile] {
            #expect(FileManager.default.fileExists(atPath: Self.promptDirectory.appendingPathComponent(file).path))
        }
    }

    @Test("Another prompt directory replaces the files it has; the others stay built in")
    func override() throws {
        let dir = TestScratch.url.appendingPathComponent("prompts-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "Fix {issue} in {repo_root}; keep {unknown} and {issue_x}.".write(to: dir.appendingPathComponent("issue.txt"), atomically: true, encoding: .utf8)
        let templates = try PromptTemplates.load(directory: dir)
        #expect(templates.environment == PromptTemplates.builtIn.environment)
        let task = EpisodeTask(instanceID: "x", issue: "bug {repo_root}", repoRoot: "/r")
        #expect(InitialPrompt.user(task, config: .init(), templates: templates) == "Fix bug {repo_root} in /r; keep {unknown} and {issue_x}.")
        #expect(throws: PromptTemplates.LoadError.self) { try PromptTemplates.load(directory: dir.appendingPathComponent("nope")) }
    }

    @Test("System prompt: the think-tag description, # Environment, the filled template with CWM's tool blocks")
    func system() {
        let system = InitialPrompt.system(.init(), templates: .builtIn)
        #expect(system.hasPrefix(InitialPrompt.thinkTagDescription + "\n\n# Environment\n\nYou are working in a linux container."))
        #expect(system.contains("after a 120-second session timeout") && system.contains("a 131072 total context")
            && system.contains("for at most 128 turns"))
        #expect(system.contains(ToolSpecs.specifications(plugins: true)))
        #expect(!system.hasSuffix("\n"))
        var noPlugins = EpisodeConfig()
        noPlugins.plugins = false
        noPlugins.think = false
        let plain = InitialPrompt.system(noPlugins, templates: .builtIn)
        #expect(plain.hasPrefix("You are a helpful AI assistant.\n\n# Environment"))
        #expect(!plain.contains("<tool: edit>") && plain.contains(ToolSpecs.specifications(plugins: false)))
    }

    @Test("The test-patch hint follows the stripped issue after a blank line, only when on")
    func hint() {
        var config = EpisodeConfig()
        let task = EpisodeTask(instanceID: "x", issue: "bug\n\n", testPatch: "diff --git a/t b/t")
        #expect(!InitialPrompt.user(task, config: config, templates: .builtIn).contains("```diff"))
        config.testPatchHint = true
        #expect(InitialPrompt.user(task, config: config, templates: .builtIn).contains("bug\n\nHint:"))
        #expect(InitialPrompt.user(task, config: config, templates: .builtIn).contains("```diff\ndiff --git a/t b/t\n```"))
    }

    @Test("Defaults are CWM's SWE-bench Verified configuration")
    func defaults() {
        let c = EpisodeConfig()
        #expect(c.contextSize == 131_072 && c.maxTurns == 128 && c.maxActionLength == 65_536)
        #expect(c.maxUserTurnLength == 32_768 && c.maxPromptLength == 8_192)
        #expect(c.sessionTimeout == .seconds(120) && c.sandboxLifetime == .seconds(7200))
        #expect(!c.strictFormat && c.think && c.useThinkTag && c.plugins && c.maxAttempts == 4)
        #expect(c.assistantPrefix == "<think>\n" && c.thinkingEnd == "</think>")
    }
}
