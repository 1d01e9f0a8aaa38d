import Foundation

/// The OpenAI completions wire format, both routes, streamed and whole.
enum OpenAIWire {
    /// What one completion came to.
    struct Completion: Sendable {
        var text = ""
        var finishReason: String?
        var promptTokens: Int?
        var completionTokens: Int?
    }

    static func body(config: EndpointConfig, prompt: String?, messages: [[String: String]]?, maxTokens: Int, stop: [String],
                     seed: UInt64) throws(EndpointError) -> Data {
        var object: [String: Any] = [
            "model": config.modelName,
            "max_tokens": maxTokens,
            "temperature": config.temperature,
            "top_p": config.topP,
            "seed": seed,
            "stream": config.stream,
        ]
        if !stop.isEmpty { object["stop"] = stop }
        if config.stream { object["stream_options"] = ["include_usage": true] }
        if let prompt { object["prompt"] = prompt }
        if let messages { object["messages"] = messages }
        do {
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        } catch {
            throw .malformed("cannot encode the request: \(error)")
        }
    }

    /// Adds one JSON object (a whole answer or a stream chunk) to `completion`.
    static func accumulate(_ json: String, into completion: inout Completion) throws(EndpointError) {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformed("not a JSON object: \(json.prefix(200))")
        }
        if let error = object["error"] {
            throw .malformed("the stream carried an error: \(errorMessage(error))")
        }
        if let usage = object["usage"] as? [String: Any] {
            completion.promptTokens = (usage["prompt_tokens"] as? NSNumber)?.intValue ?? completion.promptTokens
            completion.completionTokens = (usage["completion_tokens"] as? NSNumber)?.intValue ?? completion.completionTokens
        }
        guard let choices = object["choices"] as? [[String: Any]] else {
            if object["usage"] != nil { return }  // the usage-only chunk at the end of a stream
            throw .malformed("no choices in \(json.prefix(200))")
        }
        guard let choice = choices.first(where: { ($0["index"] as? NSNumber)?.intValue ?? 0 == 0 }) else { return }
        if let text = choice["text"] as? String {
            completion.text += text
        } else if let message = (choice["message"] ?? choice["delta"]) as? [String: Any], let content = message["content"] as? String {
            completion.text += content
        }
        if let reason = choice["finish_reason"] as? String { completion.finishReason = reason }
    }

    /// The `error.message` of an OpenAI error body, else the body's text.
    static func errorMessage(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) {
            return errorMessage(object)
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(empty body)" : text
    }

    private static func errorMessage(_ object: Any) -> String {
        if let dict = object as? [String: Any] {
            if let error = dict["error"] { return errorMessage(error) }
            if let message = dict["message"] as? String { return message }
        }
        if let text = object as? String { return text }
        return String(describing: object).prefix(500).description
    }
}
