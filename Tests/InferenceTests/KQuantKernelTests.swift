import Foundation
import Testing
@testable import Inference

/// The integer Q4_K/Q6_K kernels (activations quantized to Q8_K) against the float path they
/// replace (each weight row dequantized, float activations), on the dequantization fixture's
/// random blocks (checked against gguf-py by GGUFTests) and on the default model's real blocks.
///
/// Tolerance: Q8_K rounds each activation to the nearest multiple of d = amax/127 of its
/// 256-block, an error of at most d/2 per element, so an output may move by at most
/// sum over blocks of d/2 * sum |w_i|; the rest (float summation order) is bounded by 1e-4 of
/// sum |w_i x_i|. Both bounds are computed per output from the dequantized weights.
@Suite(.serialized) struct KQuantKernelTests {
    /// Activations with a spread like a transformer's: mostly small, a few large.
    static func activations(_ count: Int, seed: UInt64) -> [Float] {
        var g = SplitMix(seed)
        return (0..<count).map { i in
            let u = Float(g.unit() * 2 - 1)
            return i % 97 == 5 ? u * 8 : u
        }
    }

    /// Worst ratio of |new - old| to the bound above, over all outputs (must be <= 1).
    static func worstRatio(_ w: WeightMatrix, _ x: [Float], ntok: Int, new: [Float], old: [Float]) -> Float {
        var row = [Float](repeating: 0, count: w.cols)
        var worst: Float = 0
        for r in 0..<w.rows {
            row.withUnsafeMutableBufferPointer { w.row(r, into: $0.baseAddress!) }
            for t in 0..<ntok {
                let xt = x[(t * w.cols)..<((t + 1) * w.cols)]
                var bound: Float = 0, mag: Float = 0
                for b in stride(from: 0, to: w.cols, by: 256) {
                    let amax = xt[(xt.startIndex + b)..<(xt.startIndex + b + 256)].map { abs($0) }.max() ?? 0
                    var wsum: Float = 0
                    for i in b..<(b + 256) {
                        wsum += abs(row[i])
                        mag += abs(row[i] * xt[xt.startIndex + i])
                    }
                    bound += amax / 127 / 2 * wsum
                }
                bound += 1e-4 * mag + 1e-6
                worst = max(worst, abs(new[t * w.rows + r] - old[t * w.rows + r]) / bound)
            }
        }
        return worst
    }

    /// New vs old path with the vector kernels (two threads) and the portable ones (one thread:
    /// the switch is per thread); 7 tokens cover the 4-token tiles and the 3-token remainder.
    static func check(_ w: WeightMatrix, label: String) {
        let ntok = 7
        let x = activations(ntok * w.cols, seed: UInt64(w.cols * 31 + w.rows))
        KernelAccess.setFloatKQuants(true)
        let old = KernelAccess.matmul(w, x, ntok: ntok, threads: 2)
        KernelAccess.setFloatKQuants(false)
        let new = KernelAccess.matmul(w, x, ntok: ntok, threads: 2)
        let ratio = worstRatio(w, x, ntok: ntok, new: new, old: old)
        #expect(ratio <= 1, "\(label) \(w.type): |Δ| reaches \(ratio)x the activation-rounding bound")
        KernelAccess.setPortable(true)
        let portable = KernelAccess.matmul(w, x, ntok: ntok, threads: 1)
        KernelAccess.setPortable(false)
        // Same integers, same Q8_K rounding: the two differ only in float summation order.
        var worst: Float = 0, scale: Float = 0
        for (a, b) in zip(new, portable) { worst = max(worst, abs(a - b)); scale = max(scale, abs(b)) }
        #expect(worst <= 1e-4 * max(1, scale), "\(label) \(w.type): AVX2 vs portable |Δ| \(worst)")
        print("\(label) \(w.type) \(w.rows)x\(w.cols): worst |Δ| / bound \(ratio), AVX2 vs portable \(worst)")
    }

    @Test(arguments: ["Q4_K", "Q6_K"])
    func randomBlocksMatchFloatPath(type: String) throws {
        let g = try GGUFFile(path: try Fixtures.url("dequant.gguf-fixture").path)
        let t = try g.tensor(type)
        Self.check(WeightMatrix(type: t.type, data: g.data(t), rows: t.rowCount, cols: t.rowLength), label: "random")
    }

    /// The default model's tensors of each K-quant type, 48 rows of each (both row lengths).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelLocator.path(of: ModelLocator.defaultModel)),
                   "the default model is not in the cache (Scripts/fetch-model default)"))
    func realBlocksMatchFloatPath() throws {
        let g = try GGUFFile(path: ModelLocator.path(of: ModelLocator.defaultModel))
        for name in ["blk.3.attn_q.weight", "blk.3.ffn_up.weight", "blk.3.ffn_down.weight", "blk.0.attn_v.weight", "blk.0.ffn_down.weight", "output.weight"] {
            let t = try g.tensor(name)
            #expect(t.type == .q4_K || t.type == .q6_K)
            let start = t.rowCount / 3
            let w = WeightMatrix(type: t.type, data: g.data(t) + start * t.type.rowBytes(t.rowLength), rows: 48, cols: t.rowLength)
            Self.check(w, label: name)
        }
    }

    /// The default model end to end: the integer path picks the same next token as the float
    /// path on short prompts, with logits close to it.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelLocator.path(of: ModelLocator.defaultModel)),
                   "the default model is not in the cache (Scripts/fetch-model default)"))
    func defaultModelTopTokenAgreesWithFloatPath() throws {
        let model = try Fixtures.qwenModel()
        let prompts = ["def fibonacci(n):", "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"]
        for p in prompts {
            let ids = model.tokenizer.encode(p, parseSpecial: true)
            KernelAccess.setFloatKQuants(true)
            let old = try Session(model: model, contextLength: 64, threads: 2).evaluate(ids)
            KernelAccess.setFloatKQuants(false)
            let new = try Session(model: model, contextLength: 64, threads: 2).evaluate(ids)
            var worst: Float = 0
            for (a, b) in zip(old, new) { worst = max(worst, abs(a - b)) }
            print("default model \(p.debugDescription): top-1 \(Sampler.argmax(old)) vs \(Sampler.argmax(new)), max |Δ logit| \(worst)")
            #expect(Sampler.argmax(old) == Sampler.argmax(new), "\(p.debugDescription)")
            #expect(worst < 1.25, "\(p.debugDescription): max |Δ logit| \(worst)")
        }
    }
}

/// A small deterministic generator (SplitMix64), so the activations are the same on every run.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
