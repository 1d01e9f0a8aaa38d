import CInferenceKernels
import Foundation

/// A weight matrix of `rows` rows of `cols` elements, in a ggml block layout, row-major.
public struct WeightMatrix: @unchecked Sendable {
    public let type: GGMLType
    public let data: UnsafeRawPointer
    public let rows: Int
    public let cols: Int
    /// What the matmul kernels read: the file's layout (`type`, `data`), or Forager's row-
    /// interleaved copy of it (`IK_Q4_K_X8`, `IK_Q6_K_X8`; see `interleaved(owners:)`).
    let kernelType: Int32
    let kernelData: UnsafeRawPointer

    public init(type: GGMLType, data: UnsafeRawPointer, rows: Int, cols: Int) {
        self.init(type: type, data: data, rows: rows, cols: cols, kernelType: Int32(type.rawValue), kernelData: data)
    }

    init(type: GGMLType, data: UnsafeRawPointer, rows: Int, cols: Int, kernelType: Int32, kernelData: UnsafeRawPointer) {
        self.type = type
        self.data = data
        self.rows = rows
        self.cols = cols
        self.kernelType = kernelType
        self.kernelData = kernelData
    }

    /// Whether the kernels read an interleaved copy rather than the file's layout.
    var isInterleaved: Bool { kernelData != data }

    public var byteCount: Int { rows * type.rowBytes(cols) }

    /// Row `r` as floats.
    func row(_ r: Int, into dst: UnsafeMutablePointer<Float>) {
        dequantize(type: type, data + r * type.rowBytes(cols), into: dst, count: cols)
    }
}

struct LayerWeights: @unchecked Sendable {
    let attnNorm: [Float]
    var wq, wk, wv, wo: WeightMatrix
    /// Biases added after the Q, K and V projections (Qwen2); nil when the model has none.
    var qBias: [Float]? = nil, kBias: [Float]? = nil, vBias: [Float]? = nil
    let ffnNorm: [Float]
    var gate, up, down: WeightMatrix
    /// nil: global attention.
    var window: Int?
}

/// A loaded Llama-family model: configuration, tokenizer and weights (memory-mapped where the
/// file layout allows). Immutable and shareable; generation state lives in a `Session`.
public final class Model: @unchecked Sendable {
    public let config: ModelConfig
    public let tokenizer: Tokenizer
    public let path: String
    /// Bytes of weights the model addresses (mapped or owned).
    public let weightBytes: Int
    /// Tensor types and how many tensors of each, for `info`.
    public let tensorTypes: [String: Int]
    public let metadata: [(String, String)]
    let embedding: WeightMatrix
    let output: WeightMatrix
    let outputNorm: [Float]
    let layers: [LayerWeights]
    let inverseFrequencies: [Float]
    /// Keeps memory maps and owned buffers alive.
    let owners: [AnyObject]

    init(config: ModelConfig, tokenizer: Tokenizer, path: String, embedding: WeightMatrix, output: WeightMatrix,
         outputNorm: [Float], layers: [LayerWeights], inverseFrequencies: [Float], tensorTypes: [String: Int],
         metadata: [(String, String)], owners: [AnyObject]) {
        self.config = config
        self.tokenizer = tokenizer
        self.path = path
        self.embedding = embedding
        self.output = output
        self.outputNorm = outputNorm
        self.layers = layers
        self.inverseFrequencies = inverseFrequencies
        self.tensorTypes = tensorTypes
        self.metadata = metadata
        self.owners = owners
        var bytes = embedding.byteCount + (output.data == embedding.data ? 0 : output.byteCount)
        for l in layers { for m in [l.wq, l.wk, l.wv, l.wo, l.gate, l.up, l.down] { bytes += m.byteCount } }
        weightBytes = bytes
    }

    /// Loads a GGUF file, or a Hugging Face checkpoint folder (config.json + safetensors).
    /// `interleave`: Q4_K and Q6_K matrices get the row-interleaved copy the eight-row kernels
    /// read (made once here); false keeps the file's layout. The default is true unless the
    /// environment sets `FORAGER_INTERLEAVE=0` (to compare the two).
    public static func load(path: String, quantizeOnLoad: Bool = false,
                            interleave: Bool = ProcessInfo.processInfo.environment["FORAGER_INTERLEAVE"] != "0") throws -> Model {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw InferenceError.modelNotFound("\(path): no such file or folder")
        }
        if isDir.boolValue { return try loadHuggingFace(folder: path, quantizeOnLoad: quantizeOnLoad) }
        return try loadGGUF(path: path, interleave: interleave)
    }

    static func loadGGUF(path: String, interleave: Bool = true) throws -> Model {
        let g = try GGUFFile(path: path)
        let config = try ModelConfig(gguf: g)
        let tokenizer = try Tokenizer(gguf: g)
        func matrix(_ name: String, rows: Int? = nil, cols: Int? = nil) throws -> WeightMatrix {
            let t = try g.tensor(name)
            guard t.dims.count <= 2 else { throw InferenceError.format(path, "\(name) has \(t.dims.count) dimensions") }
            let m = WeightMatrix(type: t.type, data: g.data(t), rows: t.rowCount, cols: t.rowLength)
            if let rows, m.rows != rows { throw InferenceError.format(path, "\(name) has \(m.rows) rows, expected \(rows)") }
            if let cols, m.cols != cols { throw InferenceError.format(path, "\(name) has rows of \(m.cols), expected \(cols)") }
            return m
        }
        func bias(_ name: String, count: Int) throws -> [Float]? {
            guard g.tensors[name] != nil else { return nil }
            let b = try g.floats(name)
            guard b.count == count else { throw InferenceError.format(path, "\(name) has \(b.count) values, expected \(count)") }
            return b
        }
        let c = config
        let qDim = c.headCount * c.headDim, kvDim = c.kvHeadCount * c.headDim
        var layers: [LayerWeights] = []
        for l in 0..<c.layerCount {
            let p = "blk.\(l)."
            layers.append(LayerWeights(
                attnNorm: try g.floats(p + "attn_norm.weight"),
                wq: try matrix(p + "attn_q.weight", rows: qDim, cols: c.embeddingLength),
                wk: try matrix(p + "attn_k.weight", rows: kvDim, cols: c.embeddingLength),
                wv: try matrix(p + "attn_v.weight", rows: kvDim, cols: c.embeddingLength),
                wo: try matrix(p + "attn_output.weight", rows: c.embeddingLength, cols: qDim),
                qBias: try bias(p + "attn_q.bias", count: qDim),
                kBias: try bias(p + "attn_k.bias", count: kvDim),
                vBias: try bias(p + "attn_v.bias", count: kvDim),
                ffnNorm: try g.floats(p + "ffn_norm.weight"),
                gate: try matrix(p + "ffn_gate.weight", rows: c.feedForwardLength, cols: c.embeddingLength),
                up: try matrix(p + "ffn_up.weight", rows: c.feedForwardLength, cols: c.embeddingLength),
                down: try matrix(p + "ffn_down.weight", rows: c.embeddingLength, cols: c.feedForwardLength),
                window: c.layerWindows[l]))
        }
        let embedding = try matrix("token_embd.weight", cols: c.embeddingLength)
        var output = g.tensors["output.weight"] != nil ? try matrix("output.weight", cols: c.embeddingLength) : embedding
        var owners: [AnyObject] = [g]
        if interleave {
            // The GGUF's tensors are in its read-only map, so their file pages can be let go.
            layers = layers.map { $0.interleaved(owners: &owners, releasingFilePages: true) }
            // A tied output is also the embedding table, whose rows are looked up in the file layout.
            if output.data != embedding.data { output = output.interleaved(owners: &owners, releasingFilePages: true) }
        }
        var cfg = config
        cfg.vocabularySize = output.rows
        let factors = g.tensors["rope_freqs.weight"] != nil ? try g.floats("rope_freqs.weight") : nil
        var types: [String: Int] = [:]
        for t in g.tensors.values { types[t.type.description, default: 0] += 1 }
        let md = g.metadataOrder.filter { !$0.hasPrefix("tokenizer.ggml.") || !["tokens", "merges", "token_type", "scores"].contains($0.split(separator: ".").last.map(String.init) ?? "") }
            .compactMap { key in g.metadata[key].map { (key, $0.summary) } }
        return Model(config: cfg, tokenizer: tokenizer, path: path, embedding: embedding, output: output,
                     outputNorm: try g.floats("output_norm.weight"), layers: layers,
                     inverseFrequencies: cfg.inverseFrequencies(factors: factors), tensorTypes: types,
                     metadata: md, owners: owners)
    }
}

extension Model {
    /// The same weights with other per-layer attention windows (tests, experiments).
    func withLayerWindows(_ windows: [Int?]) -> Model {
        var cfg = config
        cfg.layerWindows = windows
        let ls = zip(layers, windows).map { l, w in
            var copy = l
            copy.window = w
            return copy
        }
        return Model(config: cfg, tokenizer: tokenizer, path: path, embedding: embedding, output: output,
                     outputNorm: outputNorm, layers: ls, inverseFrequencies: inverseFrequencies,
                     tensorTypes: tensorTypes, metadata: metadata, owners: owners + [self])
    }
}
