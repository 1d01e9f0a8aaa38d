import Foundation

/// Shape and hyper-parameters of a Llama-family (Llama, SmolLM, CWM, Qwen2) decoder.
public struct ModelConfig: Sendable, Equatable {
    public var architecture: String
    public var layerCount: Int
    public var embeddingLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    public var headDim: Int
    public var feedForwardLength: Int
    public var vocabularySize: Int
    public var contextLength: Int
    public var rmsNormEpsilon: Float
    public var ropeTheta: Double
    /// Rotation pairs: halves of the head (Hugging Face) or adjacent elements (GGUF llama, whose
    /// converter permuted Q and K).
    public var ropeNeox: Bool
    /// llama3 rope scaling, when the checkpoint uses it.
    public var ropeScaling: Llama3RopeScaling?
    /// Per layer: the attention window in tokens, or nil for global attention.
    public var layerWindows: [Int?]

    public init(architecture: String, layerCount: Int, embeddingLength: Int, headCount: Int, kvHeadCount: Int,
                headDim: Int, feedForwardLength: Int, vocabularySize: Int, contextLength: Int,
                rmsNormEpsilon: Float, ropeTheta: Double, ropeNeox: Bool, ropeScaling: Llama3RopeScaling? = nil,
                layerWindows: [Int?]? = nil) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.embeddingLength = embeddingLength
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.feedForwardLength = feedForwardLength
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.ropeNeox = ropeNeox
        self.ropeScaling = ropeScaling
        self.layerWindows = layerWindows ?? Array(repeating: nil, count: layerCount)
    }

    /// Per-pair inverse frequencies, with llama3 scaling applied.
    public func inverseFrequencies(factors: [Float]? = nil) -> [Float] {
        let half = headDim / 2
        return (0..<half).map { i in
            var f = pow(ropeTheta, -2.0 * Double(i) / Double(headDim))
            if let s = ropeScaling { f = s.scale(f) }
            if let factors, i < factors.count { f /= Double(factors[i]) }
            return Float(f)
        }
    }
}

/// Llama 3.1's frequency-dependent RoPE scaling (`rope_type: llama3`).
public struct Llama3RopeScaling: Sendable, Equatable {
    public var factor: Double
    public var lowFreqFactor: Double
    public var highFreqFactor: Double
    public var originalContext: Double

    public func scale(_ freq: Double) -> Double {
        let lowWave = originalContext / lowFreqFactor, highWave = originalContext / highFreqFactor
        let wave = 2 * Double.pi / freq
        if wave < highWave { return freq }
        if wave > lowWave { return freq / factor }
        let smooth = (originalContext / wave - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
        return (1 - smooth) * freq / factor + smooth * freq
    }
}

extension ModelConfig {
    /// Architectures whose GGUF keeps Q and K as trained (rotate-half RoPE); llama's converter
    /// permutes them for adjacent-pair rotation instead.
    static let neoxRopeArchitectures: Set<String> = ["qwen2"]

    init(gguf: GGUFFile) throws {
        let md = gguf.metadata
        guard let arch = md["general.architecture"]?.string else { throw InferenceError.format(gguf.path, "no general.architecture") }
        guard ["llama", "cwm", "smollm", "granite", "qwen2"].contains(arch) || arch.hasPrefix("llama") else {
            throw InferenceError.unsupported("\(gguf.path): architecture \"\(arch)\" (this engine runs the Llama family)")
        }
        func int(_ k: String) throws -> Int {
            guard let v = md["\(arch).\(k)"]?.int else { throw InferenceError.format(gguf.path, "missing \(arch).\(k)") }
            return v
        }
        let nEmbd = try int("embedding_length"), nHead = try int("attention.head_count")
        let nLayer = try int("block_count")
        let headDim = md["\(arch).attention.key_length"]?.int ?? md["\(arch).rope.dimension_count"]?.int ?? nEmbd / nHead
        let vocab = md["\(arch).vocab_size"]?.int ?? md["tokenizer.ggml.tokens"].map { v -> Int in
            if case .stringArray(let a) = v { return a.count }; return 0 } ?? 0
        var windows = [Int?](repeating: nil, count: nLayer)
        if let w = md["\(arch).attention.sliding_window"]?.int, w > 0 {
            let pattern = md["\(arch).attention.sliding_window_pattern"]?.int ?? 1
            for l in 0..<nLayer where pattern <= 1 || (l + 1) % pattern != 0 { windows[l] = w }
        }
        self.init(architecture: arch, layerCount: nLayer, embeddingLength: nEmbd, headCount: nHead,
                  kvHeadCount: md["\(arch).attention.head_count_kv"]?.int ?? nHead, headDim: headDim,
                  feedForwardLength: try int("feed_forward_length"), vocabularySize: vocab,
                  contextLength: md["\(arch).context_length"]?.int ?? 4096,
                  rmsNormEpsilon: Float(md["\(arch).attention.layer_norm_rms_epsilon"]?.double ?? 1e-5),
                  ropeTheta: md["\(arch).rope.freq_base"]?.double ?? 10000, ropeNeox: Self.neoxRopeArchitectures.contains(arch), layerWindows: windows)
    }
}
