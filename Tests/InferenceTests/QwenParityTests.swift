import Foundation
import Testing
@testable import Inference

/// Qwen2.5-Coder-1.5B-Instruct Q4_K_M (the default model) against llama.cpp (llama-cpp-python,
/// CPU): the qwen2 architecture (Q/K/V biases, rotate-half RoPE with base 1e6, untied Q6_K output,
/// 12 query heads over 2 KV heads), its pre-tokenizer and special tokens. Fixtures:
/// `Scripts/make-inference-fixtures qwen2`. Three short prompts keep this quick in debug builds.
@Suite(.serialized) struct QwenParityTests {
    struct Case { let text: String; let ids: [Int] }

    static func tokenizerCases(_ key: String) throws -> [Case] {
        let root = try Fixtures.json("tokenizer-qwen2.json") as! [String: Any]
        return (root[key] as! [[String: Any]]).map { Case(text: $0["text"] as! String, ids: $0["ids"] as! [Int]) }
    }

    @Test func configurationIsQwen2() throws {
        let m = try Fixtures.qwenModel()
        let c = m.config
        #expect(c.architecture == "qwen2" && c.ropeNeox && c.ropeTheta == 1_000_000)
        #expect(c.headCount == 12 && c.kvHeadCount == 2 && c.headDim == 128 && c.layerCount == 28)
        #expect(m.layers.allSatisfy { $0.qBias?.count == 1536 && $0.kBias?.count == 256 && $0.vBias?.count == 256 })
        #expect(m.output.data != m.embedding.data && m.output.type == .q6_K)
        #expect(m.tokenizer.preTokenizer == .qwen2 && !m.tokenizer.addBOS)
        for name in ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<tool_call>", "</tool_call>"] {
            #expect(m.tokenizer.specialTokens[name] != nil, "\(name) is not a special token")
        }
        #expect(m.tokenizer.stopIds.isSuperset(of: [151643, 151645]))
    }

    /// llama.cpp's ids for ~250 strings as ordinary text (user-defined tokens such as
    /// `<tool_call>` are still parsed, as llama.cpp does) and with special parsing.
    @Test(.enabled(if: Fixtures.has("tokenizer-qwen2.json"), "run Scripts/make-inference-fixtures qwen2"))
    func tokenizerMatchesLlamaCpp() throws {
        let tok = try Fixtures.qwenModel().tokenizer
        let ordinary = try Self.tokenizerCases("ordinary")
        #expect(ordinary.count >= 240)
        var failures = 0
        for c in ordinary where tok.encode(c.text) != c.ids {
            failures += 1
            Issue.record("\(c.text.debugDescription): got \(tok.encode(c.text)), llama.cpp \(c.ids)")
        }
        #expect(failures == 0)
        for c in try Self.tokenizerCases("parse_special") {
            #expect(tok.encode(c.text, parseSpecial: true) == c.ids, "\(c.text.debugDescription)")
        }
        #expect(tok.encode("<|im_end|>").count > 1, "a control token's text must not become the token in ordinary text")
    }

    @Test func qwen2PreTokenizerSplitsDigitsSingly() {
        let c = Array("x = 12345;\n".unicodeScalars)
        let words = PreTokenizer.qwen2.split(c).map { String(String.UnicodeScalarView(c[$0])) }
        #expect(words == ["x", " =", " ", "1", "2", "3", "4", "5", ";\n"])
    }

    /// Logits after each prompt, and greedy continuations teacher-forced on llama.cpp's tokens.
    /// The engine dequantizes K-quant rows to floats against 8-bit activations where llama.cpp
    /// multiplies Q4_K/Q6_K by Q8_K integers; tolerances are those of the SmolLM2 parity test.
    @Test(.enabled(if: Fixtures.has("logits-qwen2.json"), "run Scripts/make-inference-fixtures qwen2"))
    func logitsAndGreedyTextMatchLlamaCpp() throws {
        let model = try Fixtures.qwenModel()
        let root = try Fixtures.json("logits-qwen2.json") as! [String: Any]
        let vocab = root["vocab"] as! Int
        let cases = root["cases"] as! [[String: Any]]
        #expect(cases.count >= 3)
        let data = try Data(contentsOf: Fixtures.url("logits-qwen2.f32"))
        let all = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(all.count == vocab * cases.count)
        let session = Session(model: model, contextLength: 256, threads: 2)
        for (i, c) in cases.enumerated() {
            let prompt = c["prompt"] as! String, ids = c["ids"] as! [Int], greedy = c["greedy"] as! [Int]
            let ref = Array(all[(i * vocab)..<((i + 1) * vocab)])
            #expect(model.tokenizer.encode(prompt, parseSpecial: true) == ids)
            session.reset()
            let logits = try session.evaluate(ids)
            #expect(logits.count == vocab)
            var maxDiff: Float = 0, sumDiff: Float = 0
            for (a, b) in zip(logits, ref) { let d = abs(a - b); maxDiff = max(maxDiff, d); sumDiff += d }
            let meanDiff = sumDiff / Float(vocab)
            #expect(maxDiff <= 1.25, "max |Δ| \(maxDiff) for \(prompt.debugDescription)")
            #expect(meanDiff <= 0.3, "mean |Δ| \(meanDiff) for \(prompt.debugDescription)")
            #expect(Sampler.argmax(logits) == Sampler.argmax(ref))
            var step = logits, agree = 0, worstGap: Float = 0, generated: [Int] = []
            for want in greedy {
                let top = Sampler.argmax(step)
                generated.append(top)
                if top == want { agree += 1 } else { worstGap = max(worstGap, step[top] - step[want]) }
                step = try session.evaluate([want])
            }
            #expect(Double(agree) >= 0.9 * Double(greedy.count), "\(agree)/\(greedy.count) greedy steps agree")
            #expect(worstGap <= 0.5, "llama.cpp's token was \(worstGap) below our top logit")
            // llama.cpp's detokenizer (without `special`) leaves control tokens out.
            let text = model.tokenizer.decode(greedy, skipSpecial: true)
            #expect(text == c["greedy_text"] as! String)
            print("qwen2 parity: \(ids.count) prompt tokens, max |Δ| \(maxDiff), mean |Δ| \(meanDiff), greedy \(agree)/\(greedy.count): \(model.tokenizer.decode(generated).debugDescription)")
        }
    }
}
