import Foundation
import TestSupport
import Testing
@testable import Inference

@Suite struct GGUFTests {
    /// Every supported block format against gguf-py's dequantization (ggml's reference Python),
    /// both with the AVX2 kernels (when present) and the portable ones.
    @Test(arguments: ["F16", "BF16", "Q4_0", "Q4_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K"])
    func dequantizationMatchesGGML(type: String) throws {
        let g = try GGUFFile(path: try Fixtures.url("dequant.gguf-fixture").path)
        #expect(g.version == 3)
        let t = try g.tensor(type)
        #expect(t.type.description == type)
        let got = try g.floats(type)
        let want = try g.floats(type + ".ref")
        #expect(got.count == want.count)
        var worst: Float = 0
        for (a, b) in zip(got, want) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
        #expect(worst <= 1e-6, "max relative difference \(worst)")
    }

    @Test func readsDefaultModelHeader() throws {
        let g = try GGUFFile(path: try Fixtures.tinyModelPath())
        #expect(g.version == 3)
        #expect(g.metadata["general.architecture"]?.string == "llama")
        #expect(g.metadata["llama.block_count"]?.int == 30)
        #expect(g.tensors.count == 272)
        #expect(try g.tensor("blk.0.attn_q.weight").type == .q4_1)
        #expect(try g.tensor("token_embd.weight").dims == [576, 49152])
        #expect(g.dataOffset % g.alignment == 0)
    }

    @Test func rejectsGarbage() throws {
        let path = TestScratch.path + "/not-a-model-\(getpid()).gguf"
        try Data("definitely not gguf".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: InferenceError.self) { try GGUFFile(path: path) }
    }
}

@Suite(.serialized) struct KernelTests {
    /// The AVX2 and portable quantized dot products agree (Q4_1 weights, Q8 activations).
    @Test func avx2AndPortableMatmulAgree() throws {
        let model = try Fixtures.tinyModel()
        let w = model.layers[0].gate
        let x = (0..<(3 * w.cols)).map { Float(sin(Double($0) * 0.37)) }
        // The portable switch is per thread: one-thread pools run on this thread.
        let fast = KernelAccess.matmul(w, x, ntok: 3, threads: 1)
        KernelAccess.setPortable(true)
        let portable = KernelAccess.matmul(w, x, ntok: 3, threads: 1)
        KernelAccess.setPortable(false)
        var worst: Float = 0
        for (a, b) in zip(fast, portable) { worst = max(worst, abs(a - b)) }
        #expect(worst < 1e-3)
    }

    /// The whole forward pass on the portable kernels (one thread: the switch is per thread)
    /// agrees with the AVX2 one. Not to 1e-5: like ggml, attention rounds probabilities to F16, and
    /// an ulp-level difference upstream (libm's expf vs the vectorized exp, summation order) can
    /// flip one rounding, which the large first-token values of this model turn into logit
    /// changes of up to about 0.7; hence the same bound as the llama.cpp parity test.
    @Test func portableForwardPassAgrees() throws {
        let model = try Fixtures.tinyModel()
        let ids = model.tokenizer.encode("The three primary colors are")
        let fast = try Session(model: model, contextLength: 64, threads: 1).evaluate(ids)
        KernelAccess.setPortable(true)
        defer { KernelAccess.setPortable(false) }
        let portable = try Session(model: model, contextLength: 64, threads: 1).evaluate(ids)
        var worst: Float = 0
        for (a, b) in zip(fast, portable) { worst = max(worst, abs(a - b)) }
        print("portable vs AVX2 forward pass: max |Δ| \(worst)")
        #expect(Sampler.argmax(fast) == Sampler.argmax(portable))
        #expect(worst < 1.25)
    }
}
