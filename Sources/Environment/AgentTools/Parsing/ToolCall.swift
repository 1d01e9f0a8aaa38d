/// One tool call extracted from a model turn.
public struct ToolCall: Sendable, Hashable {
    /// The tool name exactly as written (`[a-zA-Z_]+`).
    public let name: String
    /// The body between the `>\n` and `\n</tool>`, unstripped.
    public let input: String

    public init(name: String, input: String) {
        self.name = name
        self.input = input
    }
}
