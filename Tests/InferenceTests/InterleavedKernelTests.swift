import Foundation
import Testing
@testable import Inference

/// Forager's row-interleaved Q4_K/Q6_K copies (eight rows' blocks together, `kquants_x8.c`) and
/// their eight-row kernels against the file layout's kernels, on the same Q8_K activations: the
/// integer sums are the same, so the outputs differ only in the order of float additions. Each
/// level is checked where it can run here: VNNI (when the CPU has it), AVX2 and portable.
@Suite(.serialized) struct InterleavedKernelTests {
    /// Worst |a - b| over the outputs, relative to the largest |b| (at least 1).
    static func worst(_ a: [Float], _ b: [Float]) -> Float {
        var w: Float = 0, scale: Float = 1
        for (x, y) in zip(a, b) { w = max(w, abs(x - y)); scale = max(scale, abs(y)) }
        return w / scale
    }

    static func check(_ w: WeightMatrix, label: String) {
        var owners: [AnyObject] = []
        let x8 = w.interleaved(owners: &owners)
        #expect(x8.isInterleaved, "\(label): no interleaved copy")
        #expect(x8.kernelType != Int32(w.type.rawValue))
        // 1: decode; 3 and 4: the tiles; 9: two tiles and a remainder; 70: over one 64-token chunk.
        for ntok in [1, 3, 4, 9, 70] {
            let x = KQuantKernelTests.activations(ntok * w.cols, seed: UInt64(ntok * 7 + w.rows))
            let file = KernelAccess.matmul(w, x, ntok: ntok, threads: 2)
            let best = KernelAccess.matmul(x8, x, ntok: ntok, threads: 2)
            KernelAccess.setNoVNNI(true)
            let avx2 = KernelAccess.matmul(x8, x, ntok: ntok, threads: 2)
            KernelAccess.setNoVNNI(false)
            KernelAccess.setPortable(true)
            let portable = KernelAccess.matmul(x8, x, ntok: ntok, threads: 1)
            KernelAccess.setPortable(false)
            for (name, got) in [("best (VNNI: \(KernelAccess.usesVNNI))", best), ("AVX2", avx2), ("portable", portable)] {
                let d = worst(got, file)
                #expect(d <= 2e-5, "\(label) \(w.type) \(name), \(ntok) tokens: relative |Δ| \(d)")
            }
        }
        // Rows still read in the file layout (embedding-style lookups, the float path).
        KernelAccess.setFloatKQuants(true)
        let x = KQuantKernelTests.activations(2 * w.cols, seed: 99)
        let floatFile = KernelAccess.matmul(w, x, ntok: 2, threads: 2)
        let floatX8 = KernelAccess.matmul(x8, x, ntok: 2, threads: 2)
        KernelAccess.setFloatKQuants(false)
        #expect(worst(floatX8, floatFile) <= 1e-6, "\(label) \(w.type): float path of the interleaved copy")
        print("\(label) \(w.type) \(w.rows)x\(w.cols): interleaved kernels agree (VNNI here: \(KernelAccess.usesVNNI))")
    }

    /// The dequantization fixture's random blocks (all scale and quant bit patterns), arranged
    /// as 16 rows of 3 blocks, each row taking the blocks in another order.
    @Test(arguments: ["Q4_K", "Q6_K"])
    func randomBlocksMatchFileLayout(type: String) throws {
        let g = try GGUFFile(path: try Fixtures.url("dequant.gguf-fixture").path)
        let t = try g.tensor(type)
        let blockBytes = t.type.blockBytes, blocks = t.rowCount * t.rowLength / 256
        try #require(blocks >= 1)
        let rows = 16, perRow = 3
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: rows * perRow * blockBytes, alignment: 64)
        defer { buffer.deallocate() }
        for r in 0..<rows {
            for j in 0..<perRow {
                let from = (j * 5 + r * 3) % blocks
                (buffer + (r * perRow + j) * blockBytes).copyMemory(from: g.data(t) + from * blockBytes, byteCount: blockBytes)
            }
        }
        Self.check(WeightMatrix(type: t.type, data: UnsafeRawPointer(buffer), rows: rows, cols: perRow * 256), label: "random")
    }

    /// The default model's tensors of both K-quant types and both row lengths, 64 rows each.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelLocator.path(of: ModelLocator.defaultModel)),
                   "the default model is not in the cache (Scripts/fetch-model default)"))
    func realBlocksMatchFileLayout() throws {
        let g = try GGUFFile(path: ModelLocator.path(of: ModelLocator.defaultModel))
        for name in ["blk.3.attn_q.weight", "blk.3.ffn_down.weight", "blk.0.attn_v.weight", "blk.0.ffn_down.weight", "output.weight"] {
            let t = try g.tensor(name)
            let start = t.rowCount / 3 / 8 * 8
            Self.check(WeightMatrix(type: t.type, data: g.data(t) + start * t.type.rowBytes(t.rowLength), rows: 64, cols: t.rowLength),
                       label: name)
        }
    }

    /// Shapes without an interleaved form keep the file layout.
    @Test func oddShapesStayInTheFileLayout() throws {
        let g = try GGUFFile(path: try Fixtures.url("dequant.gguf-fixture").path)
        let t = try g.tensor("Q4_K")
        var owners: [AnyObject] = []
        let m = WeightMatrix(type: t.type, data: g.data(t), rows: 7, cols: t.rowLength).interleaved(owners: &owners)
        #expect(!m.isInterleaved)
        #expect(owners.isEmpty)
        let q8 = try g.tensor("Q8_0")
        #expect(!WeightMatrix(type: q8.type, data: g.data(q8), rows: 8, cols: q8.rowLength).interleaved(owners: &owners).isInterleaved)
    }

    /// Q, K and V in one pass where the first matrix's rows are not a multiple of 8, so the work
    /// chunks split the interleaved groups behind it: those rows go one at a time, with the same
    /// results.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelLocator.path(of: ModelLocator.defaultModel)),
                   "the default model is not in the cache (Scripts/fetch-model default)"))
    func splitGroupsInOnePassMatchTheFileLayout() throws {
        let g = try GGUFFile(path: ModelLocator.path(of: ModelLocator.defaultModel))
        let q = try g.tensor("blk.1.attn_q.weight"), k = try g.tensor("blk.1.attn_k.weight"), v = try g.tensor("blk.1.attn_v.weight")
        let first = WeightMatrix(type: q.type, data: g.data(q), rows: 12, cols: q.rowLength)
        let second = WeightMatrix(type: k.type, data: g.data(k), rows: 64, cols: k.rowLength)
        let third = WeightMatrix(type: v.type, data: g.data(v), rows: 64, cols: v.rowLength)
        var owners: [AnyObject] = []
        let x8 = [first.interleaved(owners: &owners), second.interleaved(owners: &owners), third.interleaved(owners: &owners)]
        #expect(!x8[0].isInterleaved && x8[1].isInterleaved && x8[2].isInterleaved)
        for ntok in [1, 5] {
            let x = KQuantKernelTests.activations(ntok * q.rowLength, seed: 5)
            let want = KernelAccess.matmul3([first, second, third], x, ntok: ntok, threads: 2)
            let got = KernelAccess.matmul3(x8, x, ntok: ntok, threads: 2)
            for i in 0..<3 { #expect(Self.worst(got[i], want[i]) <= 2e-5, "matrix \(i), \(ntok) tokens") }
        }
    }

    /// The default model loaded both ways: every Q4_K/Q6_K layer matrix and the output are
    /// interleaved. With the portable kernels (each interleaved row put back and run through the
    /// same reference dot product) the logits are bit for bit the file layout's; with the vector
    /// kernels the float order differs, which through 28 layers of 8-bit activation rounding moves
    /// logits by a few tenths (the integer-vs-float check above allows 1.25), and the top token
    /// stays.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: ModelLocator.path(of: ModelLocator.defaultModel)),
                   "the default model is not in the cache (Scripts/fetch-model default)"))
    func defaultModelGivesTheSameLogitsEitherWay() throws {
        let path = ModelLocator.path(of: ModelLocator.defaultModel)
        let x8 = try Model.load(path: path, interleave: true), file = try Model.load(path: path, interleave: false)
        #expect(x8.layers.allSatisfy { [$0.wq, $0.wk, $0.wv, $0.wo, $0.gate, $0.up, $0.down].allSatisfy(\.isInterleaved) })
        #expect(x8.output.isInterleaved && !x8.embedding.isInterleaved)
        #expect(!file.output.isInterleaved)
        let ids = Array(x8.tokenizer.encode("def quicksort(items):\n    if len(items) <= 1:", parseSpecial: true).prefix(6))
        KernelAccess.setPortable(true)
        let pa = try Session(model: x8, contextLength: 16, threads: 1).evaluate(ids)
        let pb = try Session(model: file, contextLength: 16, threads: 1).evaluate(ids)
        KernelAccess.setPortable(false)
        #expect(pa == pb, "portable kernels: the interleaved copy changed the logits")
        let a = try Session(model: x8, contextLength: 16, threads: 2).evaluate(ids)
        let b = try Session(model: file, contextLength: 16, threads: 2).evaluate(ids)
        var worst: Float = 0
        for (u, v) in zip(a, b) { worst = max(worst, abs(u - v)) }
        print("default model, interleaved vs file layout: max |Δ logit| \(worst) (vector kernels), portable identical: \(pa == pb)")
        #expect(Sampler.argmax(a) == Sampler.argmax(b))
        #expect(worst < 0.75, "max |Δ logit| \(worst)")
    }
}
