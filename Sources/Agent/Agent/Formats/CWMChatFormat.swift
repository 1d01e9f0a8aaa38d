import Inference

/// CWM's chat format (spec §3.2), exactly: header = `<|start_header_id|>` + role +
/// `<|end_header_id|>` + `\n\n`; end = `<|eot_id|>`; BOS = `<|begin_of_text|>`; stop tokens eom,
/// eot, eos. Over a tokenizer without these specials (no CWM weights here) each marker still counts
/// as one token: see `SpecialMarkers`.
public struct CWMChatFormat: ChatFormat {
    public static let beginOfText = "<|begin_of_text|>"
    public static let endOfText = "<|end_of_text|>"
    public static let startHeader = "<|start_header_id|>"
    public static let endHeader = "<|end_header_id|>"
    public static let endOfMessage = "<|eom_id|>"
    public static let endOfTurn = "<|eot_id|>"
    public static let thinkingStartToken = "<|reasoning_thinking_start|>"
    public static let thinkingEndToken = "<|reasoning_thinking_end|>"

    public let name = "cwm"
    public let tokenizer: Tokenizer
    let markers: SpecialMarkers

    public init(tokenizer: Tokenizer) {
        self.tokenizer = tokenizer
        markers = SpecialMarkers(
            [Self.beginOfText, Self.endOfText, Self.startHeader, Self.endHeader, Self.endOfMessage, Self.endOfTurn,
             Self.thinkingStartToken, Self.thinkingEndToken],
            tokenizer: tokenizer)
    }

    /// Whether every marker is a real special token of the tokenizer (a CWM or Llama 3 vocabulary).
    public var hasNativeMarkers: Bool { markers.textByVirtualID.isEmpty }

    public func encode(_ text: String) -> [Int] { tokenizer.encode(text) }
    public func decode(_ tokens: [Int]) -> String { markers.decode(tokens, tokenizer: tokenizer) }

    public var beginning: TokenizedText { markers.marker(Self.beginOfText) }

    public func header(_ role: ChatRole) -> TokenizedText {
        markers.marker(Self.startHeader) + tokenize(role.name) + markers.marker(Self.endHeader) + tokenize("\n\n")
    }

    public var messageEnd: TokenizedText { markers.marker(Self.endOfTurn) }

    public var stopTokens: Set<Int> {
        [markers.id(Self.endOfMessage), markers.id(Self.endOfTurn), markers.id(Self.endOfText)]
    }

    public var endOfTurnID: Int { markers.id(Self.endOfTurn) }

    public func observationLead(afterActionEndingWith last: Int?) -> TokenizedText {
        last == markers.id(Self.endOfTurn) ? .empty : messageEnd
    }

    public var thinkingStart: TokenizedText { markers.marker(Self.thinkingStartToken) }
}
