import Foundation

/// Chat prompt formats: Llama 3 / CWM headers (spec §3.2) when the vocabulary has them,
/// ChatML (`<|im_start|>`, SmolLM2) otherwise.
public enum ChatFormat {
    public struct Message: Sendable, Equatable {
        public var role: String
        public var content: String
        public init(role: String, content: String) { self.role = role; self.content = content }
    }

    /// A one-message chat prompt in the model's own format.
    public static func userPrompt(_ text: String, tokenizer t: Tokenizer) -> [Int] {
        prompt([Message(role: "user", content: text)], tokenizer: t)
    }

    /// The dialog followed by an empty assistant header, ready for generation.
    public static func prompt(_ messages: [Message], tokenizer t: Tokenizer) -> [Int] {
        let sp = t.specialTokens
        if let sh = sp["<|start_header_id|>"], let eh = sp["<|end_header_id|>"], let eot = sp["<|eot_id|>"] {
            var ids: [Int] = []
            if let b = t.bosId { ids.append(b) }
            for m in messages {
                // System and user bodies are stripped; tool bodies are not (spec §3.2).
                let body = m.role.hasPrefix("tool") ? m.content : m.content.trimmingCharacters(in: .whitespacesAndNewlines)
                ids += [sh] + t.encode(m.role) + [eh] + t.encode("\n\n") + t.encode(body) + [eot]
            }
            ids += [sh] + t.encode("assistant") + [eh] + t.encode("\n\n")
            return ids
        }
        if let start = sp["<|im_start|>"], let end = sp["<|im_end|>"] {
            var ids: [Int] = []
            if t.addBOS, let b = t.bosId { ids.append(b) }
            for m in messages { ids += [start] + t.encode(m.role + "\n" + m.content) + [end] + t.encode("\n") }
            ids += [start] + t.encode("assistant\n")
            return ids
        }
        return t.encodePrompt(messages.map(\.content).joined(separator: "\n"), parseSpecial: false)
    }
}
