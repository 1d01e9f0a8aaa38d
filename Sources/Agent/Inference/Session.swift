import CInferenceKernels
import Foundation

/// One conversation's state over a `Model`: the KV cache and the tokens it holds.
///
/// `evaluate` appends tokens; `prefill(prompt:)` reuses the longest cached prefix of a new prompt
/// and only runs the rest, so an agent turn pays only for its new tokens. Sliding-window layers
/// keep a ring buffer of `window + batchSize` positions. Not thread-safe; one session per task.
public final class Session {
    public let model: Model
    public let contextLength: Int
    public let threadCount: Int
    /// Tokens whose keys and values are in the cache, in order.
    public private(set) var tokens: [Int] = []
    /// Largest number of tokens run in one forward pass.
    public let batchSize: Int

    private let pool: OpaquePointer
    private var kCache: [UnsafeMutablePointer<UInt16>] = []
    private var vCache: [UnsafeMutablePointer<UInt16>] = []
    private var cacheSlots: [Int] = []
    /// Bytes of KV cache allocated (pages are only resident once written).
    public let kvCacheBytes: Int

    // Per-batch activations.
    private let x, xb, q, k, v, att, tmp, hb, hb2, cosT, sinT: UnsafeMutablePointer<Float>
    private let logitsBuf: UnsafeMutablePointer<Float>
    /// Logits of a `decodeBatch`, one row per session (grown on demand).
    private var batchLogits: UnsafeMutablePointer<Float>?
    private var batchLogitsCapacity = 0
    private let mmScratch: UnsafeMutableRawPointer
    private let attScratch: UnsafeMutablePointer<Float>

    public init(model: Model, contextLength: Int? = nil, threads: Int? = nil, batchSize: Int = 512) {
        self.model = model
        let c = model.config
        self.contextLength = max(1, min(contextLength ?? min(c.contextLength, 8192), c.contextLength > 0 ? c.contextLength : Int.max))
        self.threadCount = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.batchSize = max(1, batchSize)
        pool = ik_pool_create(Int32(threadCount))
        let kvDim = c.kvHeadCount * c.headDim
        var bytes = 0
        let ctx = self.contextLength, ub = self.batchSize
        for l in model.layers {
            let slots = l.window.map { min($0 + ub, ctx) } ?? ctx
            cacheSlots.append(slots)
            kCache.append(Self.zeroedHalves(slots * kvDim))
            vCache.append(Self.zeroedHalves(slots * kvDim))
            bytes += 2 * slots * kvDim * 2
        }
        kvCacheBytes = bytes
        let n = self.batchSize
        func buf(_ count: Int) -> UnsafeMutablePointer<Float> { UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1)) }
        x = buf(n * c.embeddingLength); xb = buf(n * max(c.embeddingLength, c.headCount * c.headDim))
        q = buf(n * c.headCount * c.headDim); k = buf(n * kvDim); v = buf(n * kvDim)
        att = buf(n * c.headCount * c.headDim); tmp = buf(n * c.embeddingLength)
        hb = buf(n * c.feedForwardLength); hb2 = buf(n * c.feedForwardLength)
        cosT = buf(n * c.headDim / 2); sinT = buf(n * c.headDim / 2)
        logitsBuf = buf(c.vocabularySize)
        let widest = max(c.embeddingLength, c.feedForwardLength, c.headCount * c.headDim)
        var scratch = 0
        for t in GGMLType.allCases { scratch = max(scratch, ik_matmul_scratch(Int32(t.rawValue), Int32(widest), Int32(n), Int32(threadCount))) }
        mmScratch = UnsafeMutableRawPointer.allocate(byteCount: scratch, alignment: 64)
        attScratch = buf(Int(ik_attention_scratch(Int32(self.contextLength), Int32(threadCount), Int32(c.headCount), Int32(c.headDim))))
    }

    /// `count` zeroed 16-bit values. calloc: large zeroed blocks come straight from mmap and stay
    /// unresident until used.
    private static func zeroedHalves(_ count: Int) -> UnsafeMutablePointer<UInt16> {
        guard let block = calloc(max(count, 1), 2) else { fatalError("cannot allocate \(count * 2) bytes for the KV cache") }
        return block.assumingMemoryBound(to: UInt16.self)
    }

    deinit {
        ik_pool_destroy(pool)
        for p in kCache { free(p) }
        for p in vCache { free(p) }
        for p in [x, xb, q, k, v, att, tmp, hb, hb2, cosT, sinT, logitsBuf, attScratch] { p.deallocate() }
        mmScratch.deallocate()
        batchLogits?.deallocate()
    }

    /// Forgets everything cached.
    public func reset() { tokens.removeAll() }

    /// Drops cached tokens after the first `count`. Returns false (and resets) when a ring buffer
    /// no longer holds what the kept prefix needs.
    @discardableResult
    public func truncate(to count: Int) -> Bool {
        guard count < tokens.count else { return true }
        let dropped = tokens.count - count
        for (l, layer) in model.layers.enumerated() {
            if let w = layer.window, cacheSlots[l] < contextLength, dropped > cacheSlots[l] - w {
                tokens.removeAll()
                return false
            }
        }
        tokens.removeLast(dropped)
        return true
    }

    /// Makes the cache hold exactly `prompt` and returns the next-token logits, running only the
    /// tokens after the longest prefix already cached.
    public func prefill(prompt: [Int]) throws -> [Float] {
        Array(try prefillInPlace(prompt: prompt))
    }

    /// As `prefill`, without copying the logits (valid until the next call on this session).
    public func prefillInPlace(prompt: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard !prompt.isEmpty else { throw InferenceError.invalidArgument("empty prompt") }
        var common = 0
        while common < min(tokens.count, prompt.count) && tokens[common] == prompt[common] { common += 1 }
        if common == prompt.count { common -= 1 } // re-run the last token to get its logits
        truncate(to: common)
        return try evaluateInPlace(Array(prompt[tokens.count...]))
    }

    /// Appends `newTokens` to the cache and returns the logits after the last one.
    public func evaluate(_ newTokens: [Int]) throws -> [Float] {
        Array(try evaluateInPlace(newTokens))
    }

    /// As `evaluate`, without copying: the buffer is valid until the next call on this session.
    public func evaluateInPlace(_ newTokens: [Int]) throws -> UnsafeBufferPointer<Float> {
        guard !newTokens.isEmpty else { throw InferenceError.invalidArgument("no tokens to evaluate") }
        guard tokens.count + newTokens.count <= contextLength else {
            throw InferenceError.invalidArgument("context full: \(tokens.count) cached + \(newTokens.count) new > \(contextLength) tokens")
        }
        let vocab = model.embedding.rows
        for t in newTokens where t < 0 || t >= vocab { throw InferenceError.invalidArgument("token id \(t) outside the vocabulary (0..<\(vocab))") }
        var i = 0
        while i < newTokens.count {
            let n = min(batchSize, newTokens.count - i)
            newTokens[i..<(i + n)].withUnsafeBufferPointer { forward($0, wantLogits: i + n == newTokens.count) }
            tokens += newTokens[i..<(i + n)]
            i += n
        }
        return UnsafeBufferPointer(start: logitsBuf, count: model.output.rows)
    }

    /// Runs one new token of each of `sessions` (of this session's model, each at its own
    /// position, with its own KV cache) in one forward pass on this session's buffers and
    /// threads: the weights are read once for all of them. Returns the logits after each token,
    /// row by row (valid until the next call on this session). The same numbers as evaluating
    /// each token alone on its own session: every row is quantized, multiplied and attended on
    /// its own.
    public func decodeBatch(_ sessions: [Session], _ next: [Int]) throws -> [UnsafeBufferPointer<Float>] {
        guard !sessions.isEmpty, sessions.count == next.count, sessions.count <= batchSize else {
            throw InferenceError.invalidArgument("decodeBatch: \(sessions.count) sessions, \(next.count) tokens, batch size \(batchSize)")
        }
        guard Set(sessions.map(ObjectIdentifier.init)).count == sessions.count else {
            throw InferenceError.invalidArgument("decodeBatch: a session appears twice")
        }
        let vocab = model.embedding.rows
        for (session, id) in zip(sessions, next) {
            guard session.model === model else { throw InferenceError.invalidArgument("decodeBatch: a session of another model") }
            guard session.tokens.count < session.contextLength else {
                throw InferenceError.invalidArgument("context full: \(session.tokens.count) cached + 1 new > \(session.contextLength) tokens")
            }
            guard id >= 0 && id < vocab else { throw InferenceError.invalidArgument("token id \(id) outside the vocabulary (0..<\(vocab))") }
        }
        let rowsNeeded = sessions.count * model.output.rows
        if batchLogitsCapacity < rowsNeeded {
            batchLogits?.deallocate()
            batchLogits = UnsafeMutablePointer<Float>.allocate(capacity: rowsNeeded)
            batchLogitsCapacity = rowsNeeded
        }
        guard let logits = batchLogits else { return [] }
        forwardRows(sessions, next, logits: logits)
        for (session, id) in zip(sessions, next) { session.tokens.append(id) }
        return (0..<sessions.count).map { UnsafeBufferPointer(start: logits + $0 * model.output.rows, count: model.output.rows) }
    }

    /// `forward` for one token in each of several sessions (row t: `next[t]` at the end of `sessions[t]`).
    private func forwardRows(_ sessions: [Session], _ next: [Int], logits: UnsafeMutablePointer<Float>) {
        let c = model.config
        let n = sessions.count, d = c.embeddingLength, hd = c.headDim
        let qDim = c.headCount * hd, kvDim = c.kvHeadCount * hd
        for (t, id) in next.enumerated() { model.embedding.row(id, into: x + t * d) }
        let scale = 1 / Float(hd).squareRoot()
        let half = hd / 2
        setRotationAngles(rows: n) { sessions[$0].tokens.count }
        for (l, layer) in model.layers.enumerated() {
            projectQKV(layer, rows: n)
            let neox: Int32 = c.ropeNeox ? 1 : 0
            for t in 0..<n {
                let session = sessions[t], position = Int32(session.tokens.count)
                ik_rope(q + t * qDim, Int32(c.headCount), Int32(hd), cosT + t * half, sinT + t * half, neox)
                ik_rope(k + t * kvDim, Int32(c.kvHeadCount), Int32(hd), cosT + t * half, sinT + t * half, neox)
                let slots = Int32(session.cacheSlots[l])
                ik_store_kv(session.kCache[l], slots, Int32(kvDim), k + t * kvDim, 1, position)
                ik_store_kv(session.vCache[l], slots, Int32(kvDim), v + t * kvDim, 1, position)
                ik_attention(pool, q + t * qDim, session.kCache[l], session.vCache[l], slots, 1, position, Int32(c.headCount),
                             Int32(c.kvHeadCount), Int32(hd), Int32(layer.window ?? 0), scale, att + t * qDim, attScratch)
            }
            attentionOutputAndFeedForward(layer, rows: n)
        }
        model.outputNorm.withUnsafeBufferPointer { w in
            for t in 0..<n { ik_rmsnorm(x + t * d, w.baseAddress, xb + t * d, Int32(d), c.rmsNormEpsilon) }
        }
        matmul(model.output, xb, n, logits)
    }

    /// The rotation angles of each row's position (`position(row)`), once per pass for all layers.
    private func setRotationAngles(rows n: Int, position: (Int) -> Int) {
        let half = model.config.headDim / 2
        for t in 0..<n {
            let p = Float(position(t))
            for i in 0..<half {
                let theta = p * model.inverseFrequencies[i]
                cosT[t * half + i] = cos(theta)
                sinT[t * half + i] = sin(theta)
            }
        }
    }

    /// Normalises the `rows` rows of `x` into `xb` and projects them to `q`, `k`, `v` (biases added).
    private func projectQKV(_ layer: LayerWeights, rows n: Int) {
        let c = model.config, d = c.embeddingLength
        let qDim = c.headCount * c.headDim, kvDim = c.kvHeadCount * c.headDim
        layer.attnNorm.withUnsafeBufferPointer { w in
            for t in 0..<n { ik_rmsnorm(x + t * d, w.baseAddress, xb + t * d, Int32(d), c.rmsNormEpsilon) }
        }
        ik_matmul3(pool, layer.wq.kernelType, layer.wq.kernelData, Int32(qDim), layer.wk.kernelType, layer.wk.kernelData,
                   Int32(kvDim), layer.wv.kernelType, layer.wv.kernelData, Int32(kvDim), Int32(d), xb, Int32(n), q, k, v, mmScratch)
        addBias(layer.qBias, to: q, rows: n, width: qDim)
        addBias(layer.kBias, to: k, rows: n, width: kvDim)
        addBias(layer.vBias, to: v, rows: n, width: kvDim)
    }

    /// The attention output projection of `att` added to `x`, then the SwiGLU feed-forward block
    /// added to `x`, for `rows` rows.
    private func attentionOutputAndFeedForward(_ layer: LayerWeights, rows n: Int) {
        let c = model.config, d = c.embeddingLength, ff = c.feedForwardLength
        matmul(layer.wo, att, n, tmp)
        for i in 0..<(n * d) { x[i] += tmp[i] }
        layer.ffnNorm.withUnsafeBufferPointer { w in
            for t in 0..<n { ik_rmsnorm(x + t * d, w.baseAddress, xb + t * d, Int32(d), c.rmsNormEpsilon) }
        }
        if layer.gate.kernelType == layer.up.kernelType {
            ik_matmul2(pool, layer.gate.kernelType, layer.gate.kernelData, layer.up.kernelData, Int32(ff), Int32(d), xb, Int32(n), hb, hb2, mmScratch)
        } else {
            matmul(layer.gate, xb, n, hb); matmul(layer.up, xb, n, hb2)
        }
        ik_swiglu(hb, hb2, Int32(n * ff))
        matmul(layer.down, hb, n, tmp)
        for i in 0..<(n * d) { x[i] += tmp[i] }
    }

    private func matmul(_ w: WeightMatrix, _ input: UnsafePointer<Float>, _ n: Int, _ out: UnsafeMutablePointer<Float>) {
        ik_matmul(pool, w.kernelType, w.kernelData, Int32(w.rows), Int32(w.cols), input, Int32(n), out, Int32(w.rows), mmScratch)
    }

    /// Adds `bias` (when the layer has one) to each of `rows` rows of `width` values.
    private func addBias(_ bias: [Float]?, to m: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            for t in 0..<rows {
                let row = m + t * width
                for i in 0..<width { row[i] += b[i] }
            }
        }
    }

    private func forward(_ batch: UnsafeBufferPointer<Int>, wantLogits: Bool) {
        let c = model.config
        let n = batch.count, d = c.embeddingLength, hd = c.headDim
        let qDim = c.headCount * hd, kvDim = c.kvHeadCount * hd
        let pos0 = tokens.count
        for (t, id) in batch.enumerated() { model.embedding.row(id, into: x + t * d) }
        let scale = 1 / Float(hd).squareRoot()
        // Rotation angles once per position, shared by all layers.
        let half = hd / 2
        setRotationAngles(rows: n) { pos0 + $0 }
        do {
            for (l, layer) in model.layers.enumerated() {
                projectQKV(layer, rows: n)
                let neox: Int32 = c.ropeNeox ? 1 : 0
                for t in 0..<n {
                    ik_rope(q + t * qDim, Int32(c.headCount), Int32(hd), cosT + t * half, sinT + t * half, neox)
                    ik_rope(k + t * kvDim, Int32(c.kvHeadCount), Int32(hd), cosT + t * half, sinT + t * half, neox)
                }
                let slots = Int32(cacheSlots[l])
                ik_store_kv(kCache[l], slots, Int32(kvDim), k, Int32(n), Int32(pos0))
                ik_store_kv(vCache[l], slots, Int32(kvDim), v, Int32(n), Int32(pos0))
                ik_attention(pool, q, kCache[l], vCache[l], slots, Int32(n), Int32(pos0), Int32(c.headCount),
                             Int32(c.kvHeadCount), Int32(hd), Int32(layer.window ?? 0), scale, att, attScratch)
                attentionOutputAndFeedForward(layer, rows: n)
            }
        }
        guard wantLogits else { return }
        let last = x + (n - 1) * d
        model.outputNorm.withUnsafeBufferPointer { w in ik_rmsnorm(last, w.baseAddress, xb, Int32(d), c.rmsNormEpsilon) }
        matmul(model.output, xb, 1, logitsBuf)
    }
}
