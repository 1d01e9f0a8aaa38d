import Inference

/// ChatML, as SmolLM2's tokenizer defines it: `<|im_start|>{role}\n{body}<|im_end|>\n`. The
/// message rules (stripping, tool roles `tool: {name}`) are CWM's. The end-of-turn token is
/// `<|im_end|>`; the newline after it belongs to the environment's next observation.
public struct ChatMLFormat: ChatFormat {
    public static let imStart = "<|im_start|>"
    public static let imEnd = "<|im_end|>"
    public static let endOfText = "<|endoftext|>"
    public static let thinkingStartToken = "<|reasoning_thinking_start|>"

    public let name = "chatml"
    public let tokenizer: Tokenizer
    let markers: SpecialMarkers

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        markers = SpecialMarkers([Self.imStart, Self.imEnd, Self.endOfText, Self.thinkingStartToken], tokenizer: tokenizer)
    }

    public func encode(_ text: String) -> [Int] { tokenizer.encode(text) }
    public func decode(_ tokens: [Int]) -> String { markers.decode(tokens, tokenizer: tokenizer) }

    /// BOS only when the tokenizer asks for one (SmolLM2 does not).
    public var beginning: TokenizedText {
        guard tokenizer.addBOS, let bos = tokenizer.bosId else { return .empty }
        return TokenizedText(text: tokenizer.decode([bos]), tokens: [bos])
    }

    public func header(_ role: ChatRole) -> TokenizedText {
        markers.marker(Self.imStart) + tokenize(role.name + "\n")
    }

    public var messageEnd: TokenizedText { markers.marker(Self.imEnd) + tokenize("\n") }

    public var stopTokens: Set<Int> { [markers.id(Self.imEnd), markers.id(Self.endOfText)] }

    public func observationLead(afterActionEndingWith last: Int?) -> TokenizedText {
        last == markers.id(Self.imEnd) ? tokenize("\n") : messageEnd
    }

    public var thinkingStart: TokenizedText { markers.marker(Self.thinkingStartToken) }
}
