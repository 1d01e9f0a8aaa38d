import ForagerSupport
import Foundation
import Inference

/// The endpoint backend's side of the OpenAI completions wire format (`OpenAIAPI`), both routes,
/// streamed and whole.
enum OpenAIWire {
    /// What one completion came to.
    struct Completion: Sendable {
        var text = ""
        var finishReason: String?
        var promptTokens: Int?
        var completionTokens: Int?
    }

    static func body(config: EndpointConfig, prompt: String?, messages: [OpenAIAPI.Message]?, maxTokens: Int, stop: [String],
                     seed: UInt64) throws(EndpointError) -> Data {
        let request = OpenAIAPI.CompletionRequest(
            model: config.modelName, prompt: prompt, messages: messages, maxTokens: maxTokens, temperature: config.temperature,
            topP: config.topP, seed: seed, stop: stop.isEmpty ? nil : stop, stream: config.stream,
            streamOptions: config.stream ? .init(includeUsage: true) : nil)
        do {
            return try OpenAIAPI.encode(request)
        } catch {
            throw .malformed("cannot encode the request to \(config.baseURL): \(error)")
        }
    }

    /// Adds one JSON object (a whole answer or a stream chunk) to `completion`.
    static func accumulate(_ json: String, into completion: inout Completion) throws(EndpointError) {
        let answer: OpenAIAPI.Completion
        do {
            answer = try JSONDecoder().decode(OpenAIAPI.Completion.self, from: Data(json.utf8))
        } catch {
            throw .malformed("not a completion (\(decodingProblem(error))): \(json.prefix(200))")
        }
        if let error = answer.error {
            throw .malformed("the stream carried an error: \(error.message)")
        }
        if let usage = answer.usage {
            completion.promptTokens = usage.promptTokens ?? completion.promptTokens
            completion.completionTokens = usage.completionTokens ?? completion.completionTokens
        }
        guard let choices = answer.choices else {
            if answer.usage != nil { return }  // the usage-only chunk at the end of a stream
            throw .malformed("no choices in \(json.prefix(200))")
        }
        guard let choice = choices.first(where: { ($0.index ?? 0) == 0 }) else { return }
        if let text = choice.content { completion.text += text }
        if let reason = choice.finishReason { completion.finishReason = reason }
    }

    /// The `error.message` of an OpenAI error body, else the body's text.
    static func errorMessage(_ body: Data) -> String {
        if let error = try? JSONDecoder().decode(OpenAIAPI.ErrorBody.self, from: body) {
            return error.message
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }
}
