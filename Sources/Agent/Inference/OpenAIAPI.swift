import Foundation

/// The OpenAI completions wire shapes, both routes, whole and streamed: what `OpenAIServer`
/// reads and writes and what the endpoint backend sends and reads back. Decoding is as lenient
/// as servers and clients are in practice (a prompt list, content parts, `stop` as one string);
/// encoding writes OpenAI's shapes.
public enum OpenAIAPI {
    /// `POST /v1/completions` and `/v1/chat/completions`.
    public struct CompletionRequest: Codable, Sendable, Equatable {
        public var model: String?
        /// Completions: the raw prompt (a list decodes to its first prompt).
        public var prompt: String?
        /// Chat: the conversation.
        public var messages: [Message]?
        public var maxTokens: Int?
        public var maxCompletionTokens: Int?
        public var temperature: Double?
        public var topP: Double?
        public var topK: Int?
        public var seed: UInt64?
        /// Stop strings (one string decodes to a list of one).
        public var stop: [String]?
        public var stream: Bool?
        public var streamOptions: StreamOptions?

        public init(model: String? = nil, prompt: String? = nil, messages: [Message]? = nil, maxTokens: Int? = nil,
                    temperature: Double? = nil, topP: Double? = nil, seed: UInt64? = nil, stop: [String]? = nil,
                    stream: Bool? = nil, streamOptions: StreamOptions? = nil) {
            self.model = model
            self.prompt = prompt
            self.messages = messages
            self.maxTokens = maxTokens
            self.temperature = temperature
            self.topP = topP
            self.seed = seed
            self.stop = stop
            self.stream = stream
            self.streamOptions = streamOptions
        }

        enum CodingKeys: String, CodingKey {
            case model, prompt, messages, temperature, seed, stop, stream
            case maxTokens = "max_tokens", maxCompletionTokens = "max_completion_tokens", topP = "top_p", topK = "top_k"
            case streamOptions = "stream_options"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            model = try c.decodeIfPresent(String.self, forKey: .model)
            if let list = try? c.decodeIfPresent([String].self, forKey: .prompt) {
                prompt = list.first
            } else {
                prompt = try c.decodeIfPresent(String.self, forKey: .prompt)
            }
            messages = try c.decodeIfPresent([Message].self, forKey: .messages)
            maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
            maxCompletionTokens = try c.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
            temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
            topP = try c.decodeIfPresent(Double.self, forKey: .topP)
            topK = try c.decodeIfPresent(Int.self, forKey: .topK)
            // A negative or fractional seed is clamped, as a lenient server does.
            if let seed = try? c.decodeIfPresent(UInt64.self, forKey: .seed) {
                self.seed = seed
            } else {
                seed = try c.decodeIfPresent(Double.self, forKey: .seed).map { UInt64(max(0, min($0, Double(UInt32.max)))) }
            }
            if let one = try? c.decodeIfPresent(String.self, forKey: .stop) {
                stop = [one]
            } else {
                stop = try c.decodeIfPresent([String].self, forKey: .stop)
            }
            stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
            streamOptions = try c.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        }
    }

    public struct StreamOptions: Codable, Sendable, Equatable {
        public var includeUsage: Bool
        public init(includeUsage: Bool) { self.includeUsage = includeUsage }
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    /// One chat message. `content` may come as a list of parts; their texts are joined.
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String

        public init(role: String, content: String) {
            self.role = role
            self.content = content
        }

        private struct Part: Decodable { var text: String? }
        enum CodingKeys: String, CodingKey { case role, content }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try c.decode(String.self, forKey: .role)
            if let parts = try? c.decodeIfPresent([Part].self, forKey: .content) {
                content = parts.compactMap(\.text).joined()
            } else {
                content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
            }
        }
    }

    /// A whole answer or one stream chunk; an error body decodes into `error`.
    public struct Completion: Codable, Sendable {
        public var id: String?
        public var object: String?
        public var created: Int?
        public var model: String?
        public var choices: [Choice]?
        public var usage: Usage?
        public var error: ErrorBody?

        public init(id: String, object: String, created: Int, model: String, choices: [Choice], usage: Usage? = nil) {
            self.id = id
            self.object = object
            self.created = created
            self.model = model
            self.choices = choices
            self.usage = usage
        }
    }

    /// One choice: `text` (completions), `message` (a whole chat answer) or `delta` (a chat chunk).
    /// `finish_reason` is written as null until the end, and `logprobs` as null beside a text or message.
    public struct Choice: Codable, Sendable {
        public var index: Int?
        public var text: String?
        public var message: Message?
        public var delta: Delta?
        public var finishReason: String?

        public init(index: Int = 0, text: String? = nil, message: Message? = nil, delta: Delta? = nil, finishReason: String? = nil) {
            self.index = index
            self.text = text
            self.message = message
            self.delta = delta
            self.finishReason = finishReason
        }

        /// The text this choice adds.
        public var content: String? { text ?? message?.content ?? delta?.content }

        enum CodingKeys: String, CodingKey { case index, text, message, delta, logprobs, finishReason = "finish_reason" }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index)
            text = try c.decodeIfPresent(String.self, forKey: .text)
            message = try c.decodeIfPresent(Message.self, forKey: .message)
            delta = try c.decodeIfPresent(Delta.self, forKey: .delta)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index ?? 0, forKey: .index)
            try c.encodeIfPresent(text, forKey: .text)
            try c.encodeIfPresent(message, forKey: .message)
            try c.encodeIfPresent(delta, forKey: .delta)
            if delta == nil { try c.encodeNil(forKey: .logprobs) }
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    public struct Delta: Codable, Sendable {
        public var role: String?
        public var content: String?
        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public struct Usage: Codable, Sendable, Equatable {
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var totalTokens: Int?

        public init(promptTokens: Int, completionTokens: Int) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            totalTokens = promptTokens + completionTokens
        }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        }
    }

    /// `{"error": {"message": …, "type": …}}`'s inner object. Also decodes a plain string, a bare
    /// `{"message": …}` and a nested `{"error": …}`, as servers send them.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public var message: String
        public var type: String?

        public init(message: String, type: String?) {
            self.message = message
            self.type = type
        }

        enum CodingKeys: String, CodingKey { case message, type, error }

        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.init(message: text, type: nil)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            if let inner = try c.decodeIfPresent(ErrorBody.self, forKey: .error) {
                self = inner
                return
            }
            self.init(message: try c.decode(String.self, forKey: .message), type: try c.decodeIfPresent(String.self, forKey: .type))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encodeIfPresent(type, forKey: .type)
        }
    }

    /// `{"error": …}`, the body of every refusal.
    public struct ErrorResponse: Codable, Sendable {
        public var error: ErrorBody
        public init(_ error: ErrorBody) { self.error = error }
    }

    /// `GET /v1/models`.
    public struct ModelList: Codable, Sendable {
        public struct Entry: Codable, Sendable {
            public var id: String
            public var object = "model"
            public var ownedBy: String
            public var created: Int
            enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
        }
        public var object = "list"
        public var data: [Entry]

        public init(modelNames: [String], ownedBy: String) {
            data = modelNames.map { Entry(id: $0, ownedBy: ownedBy, created: 0) }
        }
    }

    /// The encoder both sides use: sorted keys, so bodies are stable.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }
}
