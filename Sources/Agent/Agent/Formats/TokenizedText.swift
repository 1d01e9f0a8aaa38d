/// Text together with the token ids it encodes to. The loop keeps the episode's context in this
/// form so that every count is a token count of the model's own tokenizer and the text view is
/// what a trajectory records.
public struct TokenizedText: Sendable, Hashable {
    public var text: String
    public var tokens: [Int]

    public init(text: String = "", tokens: [Int] = []) {
        self.text = text
        self.tokens = tokens
    }

    public static let empty = TokenizedText()

    public var count: Int { tokens.count }
    public var isEmpty: Bool { tokens.isEmpty }

    public static func + (lhs: TokenizedText, rhs: TokenizedText) -> TokenizedText {
        TokenizedText(text: lhs.text + rhs.text, tokens: lhs.tokens + rhs.tokens)
    }

    public static func += (lhs: inout TokenizedText, rhs: TokenizedText) {
        lhs.text += rhs.text
        lhs.tokens += rhs.tokens
    }
}
