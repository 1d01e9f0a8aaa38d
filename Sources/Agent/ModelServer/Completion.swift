import Agent
import Foundation
import Hummingbird
import Inference
import NIOCore

/// One completion request: its prompt (raw, or the messages in the model's chat format), its
/// sampling, and the answer whole or streamed.
struct Completion: Sendable {
    let server: ModelServer
    let request: OpenAIAPI.CompletionRequest
    let chat: Bool
    let id: String
    let created = Int(Date().timeIntervalSince1970)

    init(server: ModelServer, request: OpenAIAPI.CompletionRequest, chat: Bool) {
        self.server = server
        self.request = request
        self.chat = chat
        id = (chat ? "chatcmpl-" : "cmpl-") + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(24)
    }

    /// The prompt's tokens: a raw prompt with its special tokens parsed, or the conversation as
    /// the in-process runs render it (system, user, assistant and tool messages, then the
    /// assistant's header).
    func promptTokens() throws -> [Int] {
        let model = server.model
        guard chat else {
            guard let prompt = request.prompt else { throw CompletionProblem(description: "prompt must be a string") }
            return model.model.tokenizer.encodePrompt(prompt, parseSpecial: true)
        }
        guard let messages = request.messages, !messages.isEmpty else { throw CompletionProblem(description: "messages must be a non-empty array") }
        let conversation = try messages.enumerated().map { i, message in
            let role: ChatRole
            switch message.role {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            case "tool": role = .tool("tool")
            default: throw CompletionProblem(description: "messages[\(i)].role '\(message.role)' is not system, user, assistant or tool")
            }
            return ChatMessage(role, message.content)
        }
        return model.format.prompt(conversation).tokens
    }

    /// The request's sampling and limits (the model caps the length at what fits in its window).
    func options() -> GenerationOptions {
        let maxTokens = request.maxCompletionTokens ?? request.maxTokens ?? (chat ? 512 : 16)
        let sampling = SamplingParameters(temperature: Float(request.temperature ?? 1), topK: request.topK ?? 0,
                                          topP: Float(request.topP ?? 1), seed: request.seed ?? 0)
        return GenerationOptions(maxTokens: maxTokens, sampling: sampling, stopIds: chat ? server.model.format.stopTokens : nil,
                                 stopStrings: request.stop ?? [])
    }

    func response() async throws -> Response {
        let prompt = try promptTokens()
        let options = options()
        guard request.stream == true else {
            let result = try await server.model.generate(prompt: prompt, options: options)
            let choice = chat ? OpenAIAPI.Choice(message: .init(role: "assistant", content: result.text), finishReason: finish(result))
                              : OpenAIAPI.Choice(text: result.text, finishReason: finish(result))
            return CompletionRoutes.json(200, answer(choice, usage: usage(result), chunk: false))
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody { writer in try await stream(prompt: prompt, options: options, to: &writer) })
    }

    /// Server-sent events: the role (chat), each piece of text as it is generated, the finish
    /// reason with the usage, then `[DONE]`. A client that goes away cancels the generation.
    private func stream(prompt: [Int], options: GenerationOptions, to writer: inout any ResponseBodyWriter) async throws {
        let (pieces, feed) = AsyncStream<String>.makeStream()
        let model = server.model
        let generation = Task {
            defer { feed.finish() }
            return try await model.generate(prompt: prompt, options: options) { feed.yield($0) }
        }
        do {
            if chat { try await writer.write(event(OpenAIAPI.Choice(delta: .init(role: "assistant", content: "")))) }
            for await piece in pieces {
                try await writer.write(event(chat ? OpenAIAPI.Choice(delta: .init(content: piece)) : OpenAIAPI.Choice(text: piece)))
            }
            let result = try await generation.value
            let last = chat ? OpenAIAPI.Choice(delta: .init(), finishReason: finish(result)) : OpenAIAPI.Choice(text: "", finishReason: finish(result))
            try await writer.write(event(last, usage: usage(result)))
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        } catch {
            // The client went away (or encoding failed): stop generating; the writer is finished either way.
            generation.cancel()
            try? await writer.finish(nil)
            throw error
        }
    }

    private func event(_ choice: OpenAIAPI.Choice, usage: OpenAIAPI.Usage? = nil) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(try OpenAIAPI.encode(answer(choice, usage: usage, chunk: true)))
        buffer.writeString("\n\n")
        return buffer
    }

    private func answer(_ choice: OpenAIAPI.Choice, usage: OpenAIAPI.Usage?, chunk: Bool) -> OpenAIAPI.Completion {
        let object = chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion"
        return OpenAIAPI.Completion(id: id, object: object, created: created, model: server.modelName, choices: [choice], usage: usage)
    }

    private func finish(_ result: GenerationResult) -> String { result.stopReason == .length ? "length" : "stop" }

    private func usage(_ result: GenerationResult) -> OpenAIAPI.Usage {
        OpenAIAPI.Usage(promptTokens: result.promptTokens, completionTokens: result.tokens.count)
    }
}
