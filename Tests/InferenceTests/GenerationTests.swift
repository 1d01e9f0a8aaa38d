import Foundation
import Testing
@testable import Inference

@Suite(.serialized) struct GenerationTests {
    func prompt(_ m: Model) -> [Int] {
        m.tokenizer.encodePrompt("<|im_start|>user\nName three fruits.<|im_end|>\n<|im_start|>assistant\n", parseSpecial: true)
    }

    @Test func seededSamplingIsReproducibleAndVaries() throws {
        let m = try Fixtures.tinyModel()
        let s = Session(model: m, contextLength: 256)
        let p = SamplingParameters(temperature: 0.9, topK: 40, topP: 0.95, seed: 7)
        let a = try s.generate(prompt: prompt(m), options: .init(maxTokens: 16, sampling: p))
        let b = try s.generate(prompt: prompt(m), options: .init(maxTokens: 16, sampling: p))
        #expect(a.tokens == b.tokens)
        var other = p
        other.seed = 8
        let c = try s.generate(prompt: prompt(m), options: .init(maxTokens: 16, sampling: other))
        let d = try s.generate(prompt: prompt(m), options: .init(maxTokens: 16, sampling: SamplingParameters(temperature: 0.9, seed: 9)))
        #expect(a.tokens != c.tokens || a.tokens != d.tokens)
    }

    @Test func topKOneIsGreedy() throws {
        let m = try Fixtures.tinyModel()
        let s = Session(model: m, contextLength: 256)
        let g = try s.generate(prompt: prompt(m), options: .init(maxTokens: 12))
        let k1 = try s.generate(prompt: prompt(m), options: .init(maxTokens: 12, sampling: .init(temperature: 1.5, topK: 1, seed: 3)))
        #expect(g.tokens == k1.tokens)
    }

    @Test func samplerRespectsTopKAndTopP() {
        let logits: [Float] = [0, 5, 4.9, -3, 1]
        var s = Sampler(.init(temperature: 1, topK: 2, seed: 1))
        for _ in 0..<200 { #expect([1, 2].contains(s.sample(logits))) }
        var p = Sampler(.init(temperature: 1, topP: 0.01, seed: 1))
        for _ in 0..<50 { #expect(p.sample(logits) == 1) }
    }

    @Test func stopsAtStopTokenAndIncludesIt() throws {
        let m = try Fixtures.tinyModel()
        let s = Session(model: m, contextLength: 256)
        let r = try s.generate(prompt: prompt(m), options: .init(maxTokens: 200))
        #expect(r.stopReason == .stopToken)
        #expect(m.tokenizer.stopIds.contains(r.tokens.last!))
        #expect(!r.text.contains("<|im_end|>"))
    }

    @Test func stopStringsCutTheTextAndStreamingAddsUp() throws {
        let m = try Fixtures.tinyModel()
        let s = Session(model: m, contextLength: 256)
        let full = try s.generate(prompt: prompt(m), options: .init(maxTokens: 40))
        guard let word = full.text.split(separator: " ").dropFirst(2).first.map(String.init), !word.isEmpty else { return }
        var streamed = ""
        let r = try s.generate(prompt: prompt(m), options: .init(maxTokens: 40, stopStrings: [word])) { streamed += $0; return true }
        #expect(r.stopReason == .stopString)
        #expect(!r.text.contains(word))
        #expect(full.text.hasPrefix(r.text))
        #expect(streamed == r.text)
    }

    @Test func promptPrefixIsReused() throws {
        let m = try Fixtures.tinyModel()
        let s = Session(model: m, contextLength: 512)
        let first = try s.generate(prompt: prompt(m), options: .init(maxTokens: 8))
        let turn2 = prompt(m) + first.tokens + m.tokenizer.encode("\nAnd two vegetables?")
        let r = try s.generate(prompt: turn2, options: .init(maxTokens: 4))
        #expect(r.prefilledTokens == turn2.count - (prompt(m).count + first.tokens.count - 1))
    }

    @Test func defaultModelPathAndMissingModelMessage() throws {
        #expect(ModelLocator.defaultModelPath.hasSuffix("models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
        #expect(ModelLocator.tinyModelPath.hasSuffix("models/SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(throws: InferenceError.self) { try ModelLocator.resolve("/no/such/model.gguf") }
    }
}
