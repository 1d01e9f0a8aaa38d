import AgentTools
import ForagerSupport
import Inference

/// Who speaks a message. Tool results carry the tool's name exactly as parsed (`tool: bash`).
public enum ChatRole: Sendable, Hashable {
    case system, user, assistant
    case tool(String)

    /// The role string of the message header.
    public var name: String {
        switch self {
        case .system: "system"
        case .user: "user"
        case .assistant: "assistant"
        case .tool(let tool): "tool: \(tool)"
        }
    }
}

public struct ChatMessage: Sendable, Hashable {
    public var role: ChatRole
    public var body: String

    public init(_ role: ChatRole, _ body: String) {
        self.role = role
        self.body = body
    }
}

/// How messages become the model's tokens (and text). The formats differ only in their
/// markers; the message rules are CWM's (spec §3.2): system and user bodies are stripped, tool
/// bodies are not, a complete assistant message is stripped, an assistant generation prefix is not.
public protocol ChatFormat: Sendable {
    /// A short name (`cwm`, `chatml`).
    var name: String { get }
    /// Ordinary text; never yields a special token.
    func encode(_ text: String) -> [Int]
    /// The text of `tokens`, special markers rendered as their text.
    func decode(_ tokens: [Int]) -> String
    /// What starts the initial observation (BOS), possibly nothing.
    var beginning: TokenizedText { get }
    /// A message header for `role`, up to where the body starts.
    func header(_ role: ChatRole) -> TokenizedText
    /// What closes a message.
    var messageEnd: TokenizedText { get }
    /// Ids that end a model turn. Generation stops at the first and includes it.
    var stopTokens: Set<Int> { get }
    /// What an observation starts with, given the last token of the previous action: the rest
    /// of the message end when the action ended on the end-of-turn token, the whole end otherwise
    /// (CWM prepends `<|eot_id|>` when the action was cut or ended on eom/eos).
    func observationLead(afterActionEndingWith last: Int?) -> TokenizedText
    /// The think-token opener (`<|reasoning_thinking_start|>`) as one marker.
    var thinkingStart: TokenizedText { get }
}

extension ChatFormat {
    /// The token that ends a whole turn: the first stop token that closes a message (eot /
    /// im_end), else the smallest stop token. What a turn given as text is closed with.
    public var endOfTurnToken: Int? {
        messageEnd.tokens.first(where: { stopTokens.contains($0) }) ?? stopTokens.min()
    }

    /// Text with its tokens.
    public func tokenize(_ text: String) -> TokenizedText {
        TokenizedText(text: text, tokens: encode(text))
    }

    /// The body as CWM encodes it inside a complete message.
    public func messageBody(_ message: ChatMessage) -> String {
        switch message.role {
        case .tool: message.body
        case .system, .user, .assistant: PythonText.strip(message.body)
        }
    }

    /// A complete message: header, body, end.
    public func encode(_ message: ChatMessage) -> TokenizedText {
        header(message.role) + tokenize(messageBody(message)) + messageEnd
    }

    /// An assistant header and the unstripped prefix, without an end: where generation continues.
    public func generationPrefix(_ prefix: String) -> TokenizedText {
        header(.assistant) + (prefix.isEmpty ? .empty : tokenize(prefix))
    }

    /// A conversation ready for the model's next turn: the beginning, each message complete, then
    /// the assistant's header (what `forager serve` and `forager model generate` send the engine).
    public func prompt(_ messages: [ChatMessage]) -> TokenizedText {
        messages.reduce(beginning) { $0 + encode($1) } + generationPrefix("")
    }

    /// The number of tokens of a complete message.
    public func tokenCount(_ message: ChatMessage) -> Int { encode(message).count }
}

/// Special markers of a format over a tokenizer that may lack them. A marker the vocabulary
/// has is its real id; a missing one gets a virtual id past the end of the vocabulary, so that it
/// still counts as exactly one token, never collides with ordinary text and decodes back to its
/// literal text. (Only the in-process engine cannot be fed virtual ids; counting, truncation and
/// scripted or replayed models work unchanged.)
struct SpecialMarkers: Sendable {
    let ids: [String: Int]
    let textByVirtualID: [Int: String]

    init(_ names: [String], tokenizer: Tokenizer) {
        var ids: [String: Int] = [:]
        var virtual: [Int: String] = [:]
        var next = tokenizer.count
        for name in names {
            if let id = tokenizer.specialTokens[name] {
                ids[name] = id
            } else {
                ids[name] = next
                virtual[next] = name
                next += 1
            }
        }
        self.ids = ids
        textByVirtualID = virtual
    }

    func marker(_ name: String) -> TokenizedText {
        TokenizedText(text: name, tokens: [id(name)])
    }

    /// The id of one of the names given at `init` (a format asks only for its own markers).
    func id(_ name: String) -> Int {
        guard let id = ids[name] else { preconditionFailure("\(name) is not one of this format's markers \(ids.keys.sorted())") }
        return id
    }

    /// Decodes with the tokenizer, rendering virtual ids as their marker text.
    func decode(_ tokens: [Int], tokenizer: Tokenizer) -> String {
        guard !textByVirtualID.isEmpty else { return tokenizer.decode(tokens) }
        var out = ""
        var run: [Int] = []
        for id in tokens {
            if let text = textByVirtualID[id] {
                out += tokenizer.decode(run) + text
                run.removeAll()
            } else {
                run.append(id)
            }
        }
        return out + tokenizer.decode(run)
    }
}

/// The format a model's tokenizer speaks: CWM's when the vocabulary has its header and eot
/// tokens (CWM, Llama 3), ChatML when it has `<|im_start|>`/`<|im_end|>` (SmolLM2, the default
/// model), otherwise CWM's with virtual markers (counting only: the engine cannot be fed them).
public func chatFormat(for tokenizer: Tokenizer) -> any ChatFormat {
    let cwm = CWMChatFormat(tokenizer: tokenizer)
    let special = tokenizer.specialTokens
    if special[CWMChatFormat.startHeader] != nil, special[CWMChatFormat.endOfTurn] != nil { return cwm }
    if special[ChatMLFormat.imStart] != nil, special[ChatMLFormat.imEnd] != nil { return ChatMLFormat(tokenizer: tokenizer) }
    return cwm
}
