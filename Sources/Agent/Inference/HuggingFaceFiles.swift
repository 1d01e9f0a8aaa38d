import ForagerSupport
import Foundation

/// The JSON files of a Hugging Face checkpoint folder, as `Decodable` shapes.
enum HuggingFaceFiles {
    /// Decodes `data` read from `path`; a failure names the file and the key.
    static func decode<T: Decodable>(_ type: T.Type, _ data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw InferenceError.format(path, decodingProblem(error))
        }
    }

    /// `config.json` of a Llama / CWM checkpoint: the keys the engine reads.
    struct Config: Decodable {
        var modelType: String?
        var attentionBias: Bool?
        var mlpBias: Bool?
        var hiddenSize: Int
        var numAttentionHeads: Int
        var numHiddenLayers: Int
        var numKeyValueHeads: Int?
        var headDim: Int?
        var intermediateSize: Int
        var vocabSize: Int
        var maxPositionEmbeddings: Int?
        var rmsNormEps: Double?
        var ropeTheta: Double?
        var ropeScaling: Rope?
        /// transformers >= 4.57 may keep rope settings here.
        var ropeParameters: Rope?
        var slidingWindow: Int?
        var layerTypes: [String]?

        struct Rope: Decodable {
            var ropeType: String?
            var type: String?
            var factor: Double?
            var lowFreqFactor: Double?
            var highFreqFactor: Double?
            var originalMaxPositionEmbeddings: Int?
            var ropeTheta: Double?

            var kind: String? { ropeType ?? type }

            enum CodingKeys: String, CodingKey {
                case ropeType = "rope_type", type, factor, lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
                case originalMaxPositionEmbeddings = "original_max_position_embeddings", ropeTheta = "rope_theta"
            }
        }

        var rope: Rope? { ropeScaling ?? ropeParameters }

        enum CodingKeys: String, CodingKey {
            case modelType = "model_type", attentionBias = "attention_bias", mlpBias = "mlp_bias", hiddenSize = "hidden_size"
            case numAttentionHeads = "num_attention_heads", numHiddenLayers = "num_hidden_layers"
            case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", intermediateSize = "intermediate_size"
            case vocabSize = "vocab_size", maxPositionEmbeddings = "max_position_embeddings", rmsNormEps = "rms_norm_eps"
            case ropeTheta = "rope_theta", ropeScaling = "rope_scaling", ropeParameters = "rope_parameters"
            case slidingWindow = "sliding_window", layerTypes = "layer_types"
        }
    }

    /// `model.safetensors.index.json`: which shard holds which tensor.
    struct ShardIndex: Decodable {
        var weightMap: [String: String]
        enum CodingKeys: String, CodingKey { case weightMap = "weight_map" }
    }

    /// A safetensors header: tensor name → entry, beside a free-form `__metadata__`.
    struct SafetensorsHeader: Decodable {
        struct Entry: Decodable {
            var dtype: String
            var shape: [Int]
            var dataOffsets: [Int]
            enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
        }
        var entries: [String: Entry]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: AnyKey.self)
            var entries: [String: Entry] = [:]
            for key in c.allKeys where key.stringValue != "__metadata__" {
                entries[key.stringValue] = try c.decode(Entry.self, forKey: key)
            }
            self.entries = entries
        }
    }

    /// `tokenizer.json`: the byte-level BPE model and the added tokens. The pre-tokenizer is
    /// free-form; what names its matcher is summarised by `JSONStrings`.
    struct TokenizerFile: Decodable {
        struct Model: Decodable {
            var vocab: [String: Int]
            /// `"a b"` lines, or `["a", "b"]` pairs in newer files.
            var merges: [String]

            enum CodingKeys: String, CodingKey { case vocab, merges }

            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                vocab = try c.decode([String: Int].self, forKey: .vocab)
                if let lines = try? c.decodeIfPresent([String].self, forKey: .merges) {
                    merges = lines
                } else {
                    merges = (try c.decodeIfPresent([[String]].self, forKey: .merges) ?? []).compactMap { $0.count == 2 ? $0[0] + " " + $0[1] : nil }
                }
            }
        }
        struct AddedToken: Decodable {
            var id: Int
            var content: String
        }
        var model: Model
        var addedTokens: [AddedToken]?
        var preTokenizer: JSONStrings?

        enum CodingKeys: String, CodingKey { case model, addedTokens = "added_tokens", preTokenizer = "pre_tokenizer" }
    }

    /// `tokenizer_config.json`: BOS/EOS by name (a string or `{"content": …}`) and whether BOS is added.
    struct TokenizerConfig: Decodable {
        struct TokenName: Decodable {
            var content: String
            enum CodingKeys: String, CodingKey { case content }
            init(from decoder: any Decoder) throws {
                if let text = try? decoder.singleValueContainer().decode(String.self) {
                    content = text
                } else {
                    content = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .content)
                }
            }
        }
        var bosToken: TokenName?
        var eosToken: TokenName?
        var addBosToken: Bool?
        enum CodingKeys: String, CodingKey { case bosToken = "bos_token", eosToken = "eos_token", addBosToken = "add_bos_token" }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// Every string value in a free-form JSON tree, and whether some `individual_digits` is true:
/// enough to tell which pre-tokenizer a `tokenizer.json` describes.
struct JSONStrings: Decodable {
    var strings: [String] = []
    var individualDigits = false

    init() {}

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: HuggingFaceFiles.AnyKey.self) {
            for key in keyed.allKeys {
                if key.stringValue == "individual_digits", (try? keyed.decode(Bool.self, forKey: key)) == true { individualDigits = true }
                if let inner = try? keyed.decode(JSONStrings.self, forKey: key) { absorb(inner) }
            }
        } else if var list = try? decoder.unkeyedContainer() {
            while !list.isAtEnd {
                if let inner = try? list.decode(JSONStrings.self) { absorb(inner) } else { break }
            }
        } else if let text = try? decoder.singleValueContainer().decode(String.self) {
            strings.append(text)
        }
    }

    private mutating func absorb(_ inner: JSONStrings) {
        strings += inner.strings
        individualDigits = individualDigits || inner.individualDigits
    }
}
