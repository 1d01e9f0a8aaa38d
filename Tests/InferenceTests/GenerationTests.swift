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

    @Test func endMarkerKeepsItsTokenAndEndsThere() throws {
        let m = try Fixtures.tinyModel()
        let s = Session(model: m, contextLength: 256)
        let full = try s.generate(prompt: prompt(m), options: .init(maxTokens: 40))
        let words = full.text.split(whereSeparator: \.isWhitespace)
        guard words.count > 4 else { Issue.record("too short a text to test on: \(full.text)"); return }
        let marker = String(words[2])
        let r = try s.generate(prompt: prompt(m), options: .init(maxTokens: 40, endAfter: TextEnd(marker: marker)))
        #expect(r.stopReason == .endMarker)
        // The generation is the full one's up to the token that completed the marker, all its text kept.
        #expect(full.tokens.starts(with: r.tokens) && r.tokens.count < full.tokens.count)
        #expect(r.text == m.tokenizer.decode(r.tokens))
        let upto = try #require(TextEnd(marker: marker).end(in: r.text))
        #expect(!m.tokenizer.decode(Array(r.tokens.dropLast())).contains(marker))
        #expect(r.text[upto...].count < m.tokenizer.decode([r.tokens.last ?? 0]).count)
        // Counted only after `after`: the first word, before the marker, does not end the text.
        let later = try s.generate(prompt: prompt(m), options: .init(maxTokens: 40, endAfter: TextEnd(marker: String(words[0]), after: marker)))
        #expect(later.tokens.count >= r.tokens.count)
    }

    @Test func textEndFindsTheMarkerAfterItsOpening() {
        let end = TextEnd(marker: "</tool>", after: "</think>")
        #expect(end.end(in: "<tool: bash>\nls\n</tool>") == nil)
        let text = "a </tool> b</think>\n<tool: bash>\nls\n</tool>\n<tool: bash>\npwd\n</tool>"
        let upto = try? #require(end.end(in: text))
        #expect(upto.map { String(text[..<$0]) } == "a </tool> b</think>\n<tool: bash>\nls\n</tool>")
        #expect(TextEnd(marker: "</tool>").end(in: "x</tool>y").map { $0.utf16Offset(in: "x</tool>y") } == 8)
        #expect(TextEnd(marker: "").end(in: "x") == nil)
        // The incremental search, fed in pieces, ends exactly where the whole-text search first does.
        for pieceLength in [1, 2, 3, 7] {
            for end in [end, TextEnd(marker: "</tool>"), TextEnd(marker: "</tool>", after: "<tool:")] {
                var search = TextEnd.Search(end)
                var sofar = "", reachedAt: Int?
                var rest = Substring(text)
                while !rest.isEmpty, reachedAt == nil {
                    let piece = rest.prefix(pieceLength)
                    rest = rest.dropFirst(piece.count)
                    sofar += piece
                    if search.isReached(in: sofar, fresh: piece.count) { reachedAt = sofar.count }
                }
                // The first prefix length at which the whole-text search finds the end; fed in
                // pieces, the search must report it with the piece that completes that prefix.
                let firstWhole = (1...text.count).first { end.end(in: String(text.prefix($0))) != nil }
                if let firstWhole {
                    let expected = firstWhole..<(firstWhole + pieceLength)
                    #expect(reachedAt.map(expected.contains) == true, "pieces of \(pieceLength), \(end): reached at \(String(describing: reachedAt))")
                } else {
                    #expect(reachedAt == nil, "pieces of \(pieceLength), \(end)")
                }
            }
        }
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
