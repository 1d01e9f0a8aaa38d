import CInferenceKernels
import Foundation

/// One memory-mapped `.safetensors` file: an 8-byte header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the data.
final class SafetensorsFile {
    struct Entry { let dtype: String; let shape: [Int]; let begin: Int; let end: Int }
    let file: MappedFile
    let entries: [String: Entry]
    let dataStart: Int

    init(path: String) throws {
        file = try MappedFile(path: path)
        guard file.count >= 8 else { throw InferenceError.format(path, "shorter than a safetensors header") }
        let n = Int(file.base.loadUnaligned(as: UInt64.self))
        guard n > 0, 8 + n <= file.count else { throw InferenceError.format(path, "safetensors header length \(n) out of range") }
        let json = Data(bytes: file.base + 8, count: n)
        let header = try HuggingFaceFiles.decode(HuggingFaceFiles.SafetensorsHeader.self, json, path: path + " (safetensors header)")
        var e: [String: Entry] = [:]
        for (name, entry) in header.entries {
            guard entry.dataOffsets.count == 2 else {
                throw InferenceError.format(path, "tensor \(name): data_offsets has \(entry.dataOffsets.count) numbers, not 2")
            }
            e[name] = Entry(dtype: entry.dtype, shape: entry.shape, begin: entry.dataOffsets[0], end: entry.dataOffsets[1])
        }
        entries = e
        dataStart = 8 + n
        for (name, x) in e where dataStart + x.end > file.count || x.begin > x.end {
            throw InferenceError.format(path, "tensor \(name) extends past the end of the file")
        }
    }
}

extension Model {
    /// A Hugging Face checkpoint folder as Meta publishes `facebook/cwm`: config.json,
    /// tokenizer.json (+ tokenizer_config.json), model.safetensors or sharded
    /// model-*.safetensors with model.safetensors.index.json; BF16, F16 or F32 weights, mapped
    /// in place, or converted to Q8_0 when `quantizeOnLoad`.
    static func loadHuggingFace(folder: String, quantizeOnLoad: Bool) throws -> Model {
        let dir = URL(fileURLWithPath: folder)
        let configURL = dir.appendingPathComponent("config.json")
        guard let cdata = try? Data(contentsOf: configURL) else {
            throw InferenceError.format(configURL.path, "missing or unreadable config.json")
        }
        let config = try ModelConfig(huggingFace: HuggingFaceFiles.decode(HuggingFaceFiles.Config.self, cdata, path: configURL.path),
                                     path: configURL.path)
        let tokURL = dir.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: tokURL.path) else { throw InferenceError.format(tokURL.path, "missing tokenizer.json") }
        let tokenizer = try Tokenizer(tokenizerJSON: tokURL)

        // Which file holds which tensor.
        var files: [String: SafetensorsFile] = [:]
        var location: [String: SafetensorsFile] = [:]
        let indexURL = dir.appendingPathComponent("model.safetensors.index.json")
        if let idata = try? Data(contentsOf: indexURL) {
            let index = try HuggingFaceFiles.decode(HuggingFaceFiles.ShardIndex.self, idata, path: indexURL.path)
            for (name, file) in index.weightMap {
                if files[file] == nil { files[file] = try SafetensorsFile(path: dir.appendingPathComponent(file).path) }
                location[name] = files[file]
            }
        } else {
            let single = dir.appendingPathComponent("model.safetensors").path
            guard FileManager.default.fileExists(atPath: single) else {
                throw InferenceError.format(folder, "no model.safetensors or model.safetensors.index.json")
            }
            let f = try SafetensorsFile(path: single)
            files["model.safetensors"] = f
            for name in f.entries.keys { location[name] = f }
        }

        var owned: [AnyObject] = Array(files.values)
        var types: [String: Int] = [:]
        func entry(_ name: String) throws -> (SafetensorsFile, SafetensorsFile.Entry) {
            guard let f = location[name], let e = f.entries[name] else {
                throw InferenceError.format(folder, "missing tensor \(name)")
            }
            return (f, e)
        }
        func ggmlType(_ dtype: String, _ name: String) throws -> GGMLType {
            switch dtype {
            case "BF16": return .bf16
            case "F16": return .f16
            case "F32": return .f32
            default: throw InferenceError.unsupported("\(folder): tensor \(name) has dtype \(dtype) (BF16, F16, F32 are read)")
            }
        }
        func matrix(_ name: String, rows: Int, cols: Int, quantize: Bool) throws -> WeightMatrix {
            let (f, e) = try entry(name)
            guard e.shape == [rows, cols] else { throw InferenceError.format(folder, "\(name) has shape \(e.shape), expected [\(rows), \(cols)]") }
            let type = try ggmlType(e.dtype, name)
            guard e.end - e.begin == rows * type.rowBytes(cols) else { throw InferenceError.format(folder, "\(name) has the wrong byte length") }
            let src = f.file.base + f.dataStart + e.begin
            if quantize && cols % 32 == 0 {
                let buf = OwnedBuffer(byteCount: rows * GGMLType.q8_0.rowBytes(cols))
                owned.append(buf)
                ik_quantize_q8_0_rows(Int32(type.rawValue), src, Int32(rows), Int32(cols), buf.pointer)
                types["Q8_0", default: 0] += 1
                return WeightMatrix(type: .q8_0, data: UnsafeRawPointer(buf.pointer), rows: rows, cols: cols)
            }
            types[type.description, default: 0] += 1
            return WeightMatrix(type: type, data: src, rows: rows, cols: cols)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let (f, e) = try entry(name)
            guard e.shape == [count] else { throw InferenceError.format(folder, "\(name) has shape \(e.shape), expected [\(count)]") }
            let type = try ggmlType(e.dtype, name)
            types[type.description, default: 0] += 1
            return [Float](unsafeUninitializedCapacity: count) { b, n in
                guard let base = b.baseAddress else { n = 0; return }
                dequantize(type: type, f.file.base + f.dataStart + e.begin, into: base, count: count)
                n = count
            }
        }

        let c = config
        let qDim = c.headCount * c.headDim, kvDim = c.kvHeadCount * c.headDim, d = c.embeddingLength
        var layers: [LayerWeights] = []
        for l in 0..<c.layerCount {
            let p = "model.layers.\(l)."
            layers.append(LayerWeights(
                attnNorm: try vector(p + "input_layernorm.weight", count: d),
                wq: try matrix(p + "self_attn.q_proj.weight", rows: qDim, cols: d, quantize: quantizeOnLoad),
                wk: try matrix(p + "self_attn.k_proj.weight", rows: kvDim, cols: d, quantize: quantizeOnLoad),
                wv: try matrix(p + "self_attn.v_proj.weight", rows: kvDim, cols: d, quantize: quantizeOnLoad),
                wo: try matrix(p + "self_attn.o_proj.weight", rows: d, cols: qDim, quantize: quantizeOnLoad),
                ffnNorm: try vector(p + "post_attention_layernorm.weight", count: d),
                gate: try matrix(p + "mlp.gate_proj.weight", rows: c.feedForwardLength, cols: d, quantize: quantizeOnLoad),
                up: try matrix(p + "mlp.up_proj.weight", rows: c.feedForwardLength, cols: d, quantize: quantizeOnLoad),
                down: try matrix(p + "mlp.down_proj.weight", rows: d, cols: c.feedForwardLength, quantize: quantizeOnLoad),
                window: c.layerWindows[l]))
        }
        // The embedding table stays as stored (rows are looked up, not multiplied) unless it
        // doubles as the output matrix.
        let tied = location["lm_head.weight"] == nil
        let embedding = try matrix("model.embed_tokens.weight", rows: c.vocabularySize, cols: d, quantize: quantizeOnLoad && tied)
        let output = tied ? embedding : try matrix("lm_head.weight", rows: c.vocabularySize, cols: d, quantize: quantizeOnLoad)
        let md = Self.topLevelKeys(of: cdata)
        return Model(config: config, tokenizer: tokenizer, path: folder, embedding: embedding, output: output,
                     outputNorm: try vector("model.norm.weight", count: d), layers: layers,
                     inverseFrequencies: config.inverseFrequencies(), tensorTypes: types, metadata: md, owners: owned)
    }
}

/// Heap memory for converted weights, freed with the model.
final class OwnedBuffer {
    let pointer: UnsafeMutableRawPointer
    init(byteCount: Int) { pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64) }
    deinit { pointer.deallocate() }
}

extension Model {
    /// config.json's top-level keys and values as JSON text, for `forager model info --metadata`:
    /// a free-form listing, not a shape the engine reads.
    static func topLevelKeys(of json: Data) -> [(String, String)] {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return [] }
        return object.keys.sorted().compactMap { key in
            object[key].map { value in
                if let string = value as? String { return (key, string) }
                let text = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
                    .map { String(decoding: $0, as: UTF8.self) }
                return (key, text ?? "\(value)")
            }
        }
    }
}

extension ModelConfig {
    /// config.json of a Llama / CWM checkpoint (`LlamaForCausalLM`, `CwmForCausalLM`).
    init(huggingFace cfg: HuggingFaceFiles.Config, path: String) throws {
        let arch = cfg.modelType ?? "llama"
        guard ["llama", "cwm"].contains(arch) else {
            throw InferenceError.unsupported("\(path): model_type \"\(arch)\" (llama and cwm are run)")
        }
        for (k, on) in [("attention_bias", cfg.attentionBias), ("mlp_bias", cfg.mlpBias)] where on == true {
            throw InferenceError.unsupported("\(path): \(k) is true (biases are not implemented)")
        }
        let d = cfg.hiddenSize, heads = cfg.numAttentionHeads, layers = cfg.numHiddenLayers
        var scaling: Llama3RopeScaling?
        let rope = cfg.rope
        let theta = cfg.ropeTheta ?? rope?.ropeTheta ?? 10000
        if let r = rope, r.kind == "llama3" {
            scaling = Llama3RopeScaling(factor: r.factor ?? 8, lowFreqFactor: r.lowFreqFactor ?? 1, highFreqFactor: r.highFreqFactor ?? 4,
                                        originalContext: Double(r.originalMaxPositionEmbeddings ?? 8192))
        } else if let t = rope?.kind, t != "default" {
            throw InferenceError.unsupported("\(path): rope_type \(t) (default and llama3 are implemented)")
        }
        var windows = [Int?](repeating: nil, count: layers)
        if let w = cfg.slidingWindow, w > 0 {
            if let types = cfg.layerTypes {
                guard types.count == layers else { throw InferenceError.format(path, "layer_types has \(types.count) entries for \(layers) layers") }
                for (i, t) in types.enumerated() where t == "sliding_attention" { windows[i] = w }
            } else {
                for i in 0..<layers { windows[i] = w }
            }
        }
        self.init(architecture: arch, layerCount: layers, embeddingLength: d, headCount: heads,
                  kvHeadCount: cfg.numKeyValueHeads ?? heads, headDim: cfg.headDim ?? d / heads,
                  feedForwardLength: cfg.intermediateSize, vocabularySize: cfg.vocabSize,
                  contextLength: cfg.maxPositionEmbeddings ?? 4096,
                  rmsNormEpsilon: Float(cfg.rmsNormEps ?? 1e-5), ropeTheta: theta, ropeNeox: true,
                  ropeScaling: scaling, layerWindows: windows)
    }
}
