import Foundation

extension Tokenizer {
    /// The tokenizer stored in a GGUF file (`tokenizer.ggml.*`, model "gpt2": byte-level BPE).
    public convenience init(gguf: GGUFFile) throws {
        let md = gguf.metadata
        let model = md["tokenizer.ggml.model"]?.string ?? "(none)"
        guard model == "gpt2" else {
            throw InferenceError.unsupported("\(gguf.path): tokenizer model \"\(model)\"; only byte-level BPE (\"gpt2\") is implemented")
        }
        guard case .stringArray(let rawTokens)? = md["tokenizer.ggml.tokens"] else { throw InferenceError.format(gguf.path, "no tokenizer.ggml.tokens") }
        let tokens = rawTokens.map { Array($0) }
        var merges: [[UInt8]] = []
        if case .stringArray(let raw)? = md["tokenizer.ggml.merges"] { merges = raw.map { Array($0) } }
        let types = md["tokenizer.ggml.token_type"]?.ints ?? []
        var special = Set<Int>()
        for (i, t) in types.enumerated() where t != 1 && t != 5 && t != 6 { special.insert(i) } // 1 normal, 5 unused, 6 byte
        let userDefined = Set(types.indices.filter { types[$0] == 4 })
        let preName = md["tokenizer.ggml.pre"]?.string ?? "default"
        guard let pre = PreTokenizer(ggmlName: preName) else {
            throw InferenceError.unsupported("\(gguf.path): pre-tokenizer \"\(preName)\" (known: gpt2, smollm/starcoder, llama-bpe/llama3, qwen2)")
        }
        let bos = md["tokenizer.ggml.bos_token_id"]?.int
        let eos = md["tokenizer.ggml.eos_token_id"]?.int
        var eot = Set<Int>()
        for key in ["tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"] { if let v = md[key]?.int { eot.insert(v) } }
        for i in special where Self.endTokenNames.contains(String(decoding: tokens[i], as: UTF8.self)) { eot.insert(i) }
        let addBOS = md["tokenizer.ggml.add_bos_token"]?.bool ?? (pre == .llama3)
        try self.init(tokenBytes: tokens, special: special, merges: merges, preTokenizer: pre, bosId: bos, eosId: eos,
                      eotIds: eot, addBOS: addBOS, chunkCharacters: pre == .llama3 ? 400_000 : nil, userDefined: userDefined)
    }

    static let endTokenNames: Set<String> = ["<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|im_end|>", "<|endoftext|>", "<|end|>"]

    /// A Hugging Face `tokenizer.json` (byte-level BPE), with `tokenizer_config.json` beside it
    /// when present for BOS/EOS.
    public convenience init(tokenizerJSON url: URL) throws {
        let file = try HuggingFaceFiles.decode(HuggingFaceFiles.TokenizerFile.self, try Data(contentsOf: url), path: url.path)
        let vocab = file.model.vocab
        let merges = file.model.merges
        var size = (vocab.values.max() ?? -1) + 1
        let added = file.addedTokens ?? []
        for t in added { size = max(size, t.id + 1) }
        var tokens = [String](repeating: "", count: size)
        for (s, i) in vocab where i >= 0 { tokens[i] = s }
        var special = Set<Int>()
        for t in added where t.id >= 0 {
            tokens[t.id] = t.content
            special.insert(t.id)
        }
        for i in 0..<size where tokens[i].isEmpty { tokens[i] = "<|unused_\(i)|>"; special.insert(i) }
        // The pre-tokenizer's regex names which matcher applies.
        let preStrings = file.preTokenizer ?? JSONStrings()
        let pre: PreTokenizer
        if preStrings.strings.contains(where: { $0.contains("\\p{N}{1,3}") }) { pre = .llama3 }
        else if preStrings.individualDigits || preStrings.strings.contains(where: { $0.contains("Digits") }) { pre = .smollm }
        else { pre = .gpt2 }
        var bos: Int?, eos: Int?
        var addBOS = pre == .llama3
        let configURL = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        // Optional, and read leniently as before: an unreadable file leaves the defaults.
        if let cdata = try? Data(contentsOf: configURL),
           let cfg = try? JSONDecoder().decode(HuggingFaceFiles.TokenizerConfig.self, from: cdata) {
            if let b = cfg.bosToken?.content { bos = tokens.firstIndex(of: b) }
            if let e = cfg.eosToken?.content { eos = tokens.firstIndex(of: e) }
            if let a = cfg.addBosToken { addBOS = a }
        }
        if bos == nil { bos = tokens.firstIndex(of: "<|begin_of_text|>") }
        if eos == nil { eos = tokens.firstIndex(of: "<|end_of_text|>") }
        var eot = Set<Int>()
        for (i, t) in tokens.enumerated() where special.contains(i) && Self.endTokenNames.contains(t) { eot.insert(i) }
        try self.init(tokens: tokens, special: special, merges: merges, preTokenizer: pre, bosId: bos, eosId: eos,
                      eotIds: eot, addBOS: addBOS, chunkCharacters: pre == .llama3 ? 400_000 : nil)
    }

    /// Ids at which generation stops: EOS and the end-of-turn / end-of-message tokens.
    public var stopIds: Set<Int> {
        var s = eotIds
        if let e = eosId { s.insert(e) }
        return s
    }
}
