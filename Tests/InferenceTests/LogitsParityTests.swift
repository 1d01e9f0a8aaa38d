import Foundation
import Testing
@testable import Inference

/// Next-token logits and greedy continuations against llama.cpp (llama-cpp-python 0.3.36, CPU,
/// non-flash attention) on SmolLM2-135M-Instruct Q4_1.
///
/// The engine follows ggml's arithmetic up to summation order: weights stay Q4_1/Q8_0,
/// activations are quantized to 8 bits per 32-block with ggml's rounding, the KV cache is F16, Q
/// and the attention probabilities are rounded to F16 as ggml's non-flash path does (with ggml's
/// exact summation order the logits were bit-identical for one to three tokens). Beyond that,
/// summation order, ggml's vectorized exp and the occasional flipped F16 rounding differ, and this
/// small model amplifies such differences:
/// llama.cpp's own flash and non-flash attention paths differ by max |Δ| 0.62–0.98 and mean |Δ|
/// 0.08–0.25 on these prompts. Tolerance: max |Δ| ≤ 1.25 and mean |Δ| ≤ 0.3 over all 49,152
/// logits (logits span about 30 units), the same argmax, and for the 32-token greedy continuation
/// (teacher-forced on llama.cpp's tokens) llama.cpp's choice is our argmax at ≥ 90% of the steps
/// and otherwise within 0.5 of our top logit (a near-tie).
@Suite(.serialized) struct LogitsParityTests {
    struct Case { let prompt: String; let ids: [Int]; let greedy: [Int] }

    static let maxTolerance: Float = 1.25
    static let meanTolerance: Float = 0.3

    static func load() throws -> (cases: [Case], logits: [[Float]]) {
        let root = try Fixtures.json("logits-smollm2.json") as! [String: Any]
        let vocab = root["vocab"] as! Int
        let cases = (root["cases"] as! [[String: Any]]).map {
            Case(prompt: $0["prompt"] as! String, ids: $0["ids"] as! [Int], greedy: $0["greedy"] as! [Int])
        }
        let data = try Data(contentsOf: Fixtures.url("logits-smollm2.f32"))
        let all = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        #expect(all.count == vocab * cases.count)
        return (cases, (0..<cases.count).map { Array(all[($0 * vocab)..<(($0 + 1) * vocab)]) })
    }

    @Test func logitsAndGreedyContinuationsMatchLlamaCpp() throws {
        let model = try Fixtures.tinyModel()
        let (cases, refs) = try Self.load()
        #expect(cases.count >= 5)
        let session = Session(model: model, contextLength: 1024, threads: 2)
        var freeRunningMatches = 0
        for (c, ref) in zip(cases, refs) {
            #expect(model.tokenizer.encode(c.prompt, parseSpecial: true) == c.ids)
            session.reset()
            let logits = try session.evaluate(c.ids)
            var maxDiff: Float = 0, sumDiff: Float = 0
            for (a, b) in zip(logits, ref) { let d = abs(a - b); maxDiff = max(maxDiff, d); sumDiff += d }
            let meanDiff = sumDiff / Float(ref.count)
            #expect(maxDiff <= Self.maxTolerance, "max |Δ| \(maxDiff) for \(c.prompt.debugDescription)")
            #expect(meanDiff <= Self.meanTolerance, "mean |Δ| \(meanDiff) for \(c.prompt.debugDescription)")
            #expect(Sampler.argmax(logits) == Sampler.argmax(ref))
            // Teacher-forced on llama.cpp's greedy tokens.
            var step = logits, agree = 0, worstGap: Float = 0
            for want in c.greedy {
                let top = Sampler.argmax(step)
                if top == want { agree += 1 } else { worstGap = max(worstGap, step[top] - step[want]) }
                step = try session.evaluate([want])
            }
            #expect(Double(agree) >= 0.9 * Double(c.greedy.count), "\(agree)/\(c.greedy.count) greedy steps agree")
            #expect(worstGap <= 0.5, "llama.cpp's token was \(worstGap) below our top logit")
            // Free-running greedy continuation, reported.
            session.reset()
            let r = try session.generate(prompt: c.ids, options: .init(maxTokens: c.greedy.count, stopIds: []))
            if r.tokens == c.greedy { freeRunningMatches += 1 }
            print("logits parity: \(c.ids.count) prompt tokens, max |Δ| \(maxDiff), mean |Δ| \(meanDiff); teacher-forced greedy agreement \(agree)/\(c.greedy.count) (worst near-tie gap \(worstGap)); free-running 32-token continuation identical: \(r.tokens == c.greedy)")
        }
        print("logits parity: \(freeRunningMatches)/\(cases.count) free-running greedy continuations identical to llama.cpp's")
        #expect(freeRunningMatches >= cases.count / 2)
    }

    /// Incremental prefill gives the same logits as running the whole prompt at once.
    @Test func cachedPrefixReuseMatchesFullPrefill() throws {
        let model = try Fixtures.tinyModel()
        let (cases, _) = try Self.load()
        let ids = cases[1].ids
        let full = Session(model: model, contextLength: 512)
        let a = try full.prefill(prompt: ids)
        let inc = Session(model: model, contextLength: 512, batchSize: 7)
        _ = try inc.prefill(prompt: Array(ids[..<20]))
        _ = try inc.prefill(prompt: Array(ids[..<10]) + [42, 43])  // diverges: rewinds to 10
        let b = try inc.prefill(prompt: ids)
        #expect(inc.tokens == ids)
        var maxDiff: Float = 0
        for (x, y) in zip(a, b) { maxDiff = max(maxDiff, abs(x - y)) }
        #expect(maxDiff < 1e-3)
    }
}
