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
        let data = try Data(contentsOf: url)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let model = root["model"] as? [String: Any],
              let vocab = model["vocab"] as? [String: Int] else {
            throw InferenceError.format(url.path, "no model.vocab in tokenizer.json")
        }
        var merges: [String] = []
        for m in model["merges"] as? [Any] ?? [] {
            if let s = m as? String { merges.append(s) }
            else if let a = m as? [String], a.count == 2 { merges.append(a[0] + " " + a[1]) }
        }
        var size = (vocab.values.max() ?? -1) + 1
        let added = root["added_tokens"] as? [[String: Any]] ?? []
        for t in added { if let id = t["id"] as? Int { size = max(size, id + 1) } }
        var tokens = [String](repeating: "", count: size)
        for (s, i) in vocab { tokens[i] = s }
        var special = Set<Int>()
        for t in added {
            guard let id = t["id"] as? Int, let content = t["content"] as? String else { continue }
            tokens[id] = content
            special.insert(id)
        }
        for i in 0..<size where tokens[i].isEmpty { tokens[i] = "<|unused_\(i)|>"; special.insert(i) }
        // The pre-tokenizer regex names which matcher applies.
        let preJSON = String(decoding: try JSONSerialization.data(withJSONObject: root["pre_tokenizer"] ?? NSNull()), as: UTF8.self)
        let pre: PreTokenizer
        if preJSON.contains("\\\\p{N}{1,3}") || preJSON.contains("\\p{N}{1,3}") { pre = .llama3 }
        else if preJSON.contains("\"individual_digits\":true") || preJSON.contains("Digits") { pre = .smollm }
        else { pre = .gpt2 }
        var bos: Int?, eos: Int?
        var addBOS = pre == .llama3
        let configURL = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        if let cdata = try? Data(contentsOf: configURL), let cfg = try? JSONSerialization.jsonObject(with: cdata) as? [String: Any] {
            func name(_ v: Any?) -> String? { (v as? String) ?? ((v as? [String: Any])?["content"] as? String) }
            if let b = name(cfg["bos_token"]) { bos = tokens.firstIndex(of: b) }
            if let e = name(cfg["eos_token"]) { eos = tokens.firstIndex(of: e) }
            if let a = cfg["add_bos_token"] as? Bool { addBOS = a }
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
