import Agent
import AgentTools
import Foundation
import Inference
import Testing

@Suite("--constrain-tools: the tool-call grammar")
struct ToolCallConstraintTests {
    let plain = ToolCallConstraint(toolNames: ToolSpecs.names(plugins: true), thinkingEnd: nil)

    func verdict(_ c: ToolCallConstraint, _ s: String) -> ConstraintVerdict { c.verdict(Array(s.utf8)) }

    /// A ChatML prompt of one user message, ready for the assistant's turn.
    func prompt(_ user: String) -> [Int] {
        (chatML.beginning + chatML.encode(ChatMessage(.user, user)) + chatML.generationPrefix("")).tokens
    }

    @Test("Prefixes of a call are viable, a whole call is complete, anything else is invalid")
    func grammar() {
        for s in ["", "<", "<tool", "<tool: ", "<tool: ba", "<tool: bash>", "<tool: bash>\n", "<tool: bash>\nls",
                  "<tool: bash>\nls\n</to", "\n<tool: submit>\n/tmp/p", "<tool: edit>\na.py\n<<<<<<< SEARCH\nx\n"] {
            #expect(verdict(plain, s) == .viable, "\(s.debugDescription)")
        }
        for s in ["<tool: bash>\nls -la\n</tool>", "  <tool: create>\na.py\nprint(1)\n</tool>"] {
            #expect(verdict(plain, s) == .complete, "\(s.debugDescription)")
            #expect((try? ToolCallParser.parse(s)) != nil, "the parser rejects \(s.debugDescription)")
        }
        for s in ["I will", "<tool: python>", "<tool:bash>", "<tool: bash>\n\n</tool>", "<tool: bash>\nls\n</tool>\n",
                  "<tool: bash>\nls</tool>", "<tool: bash>\n<tool: bash>\n", "<tool: bash>\nls\n</tool><tool: bash>"] {
            #expect(verdict(plain, s) == .invalid, "\(s.debugDescription)")
        }
        let noPlugins = ToolCallConstraint(toolNames: ToolSpecs.names(plugins: false), thinkingEnd: nil)
        #expect(verdict(noPlugins, "<tool: edit>") == .invalid)
    }

    @Test("In think mode the thinking part is free and exactly one end marker starts the call")
    func thinking() {
        let c = ToolCallConstraint(toolNames: ["bash", "submit"], thinkingEnd: "</think>")
        #expect(verdict(c, "Let me look. <tool: x> anything") == .viable)
        #expect(verdict(c, "hmm</think>\n<tool: bash>\nls\n</tool>") == .complete)
        #expect(verdict(c, "hmm</think>\nprose") == .invalid)
        #expect(verdict(c, "a</think><tool: bash>\nls</think>") == .invalid)
    }

    @Test("The closing of a call with a body, and none where the model has not written one")
    func closing() {
        func close(_ c: ToolCallConstraint, _ s: String) -> String? { c.closing(Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) } }
        #expect(close(plain, "<tool: bash>\nls") == "\n</tool>")
        #expect(close(plain, "  <tool: create>\na.py\nprint(1)\n") == "</tool>")
        #expect(close(plain, "<tool: bash>\nls\n</to") == "ol>")
        #expect(close(plain, "<tool: bash>\nls\n") == "</tool>")
        for s in ["", "<tool: ba", "<tool: bash>", "<tool: bash>\n", "<tool: bash>\n  \n"] { #expect(close(plain, s) == nil, "\(s.debugDescription)") }
        let c = ToolCallConstraint(toolNames: ["bash"], thinkingEnd: "</think>")
        #expect(close(c, "thinking <tool: bash>\nls") == nil)
        #expect(close(c, "t</think><tool: bash>\nls") == "\n</tool>")
    }

    @Test("A constrained turn that runs into its token limit still ends as a whole call")
    func budgetClosesTheCall() throws {
        let format = chatML, context = prompt("Write a long shell script that prints the numbers.")
        let session = Session(model: smolModel, contextLength: 1024, threads: 1)
        // Limits that leave room for the header and a word of body; the closing is then written
        // once no more than its own tokens and one spare are left.
        for limit in [16, 20, 32] {
            let r = try session.generate(prompt: context, options: .init(
                maxTokens: limit, sampling: SamplingParameters(temperature: 1.0, seed: UInt64(limit)), stopIds: format.stopTokens,
                constraint: plain))
            #expect(r.tokens.count <= limit)
            #expect(verdict(plain, r.text) == .complete, "limit \(limit): \(r.text.debugDescription)")
            #expect((try? ToolCallParser.parse(r.text)) != nil, "limit \(limit): \(r.text.debugDescription)")
        }
    }

    @Test("Constrained generation with the tiny model yields a call the parser accepts")
    func constrainedGeneration() throws {
        let format = chatML, context = prompt("List the files in the current directory.")
        let session = Session(model: smolModel, contextLength: 1024, threads: 1)
        let free = try session.generate(prompt: context, options: .init(maxTokens: 48, stopIds: format.stopTokens))
        let constrained = try session.generate(prompt: context, options: .init(
            maxTokens: 48, stopIds: format.stopTokens, constraint: plain))
        #expect(verdict(plain, constrained.text) != .invalid)
        if constrained.stopReason == .stopToken {
            #expect((try? ToolCallParser.parse(constrained.text)) != nil, "\(constrained.text.debugDescription)")
        }
        #expect(constrained.text.drop(while: \.isWhitespace).hasPrefix("<tool: "), "\(constrained.text.debugDescription)")
        print("constrain-tools: free \(free.text.debugDescription); constrained \(constrained.text.debugDescription)")
    }
}
