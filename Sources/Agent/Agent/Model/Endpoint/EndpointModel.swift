import ForagerSupport
import Foundation
import HTTPTransport
import Inference

/// An OpenAI-compatible server as a `LanguageModel`, over libcurl.
///
/// By default each turn is one `/v1/completions` request whose prompt is the episode's context
/// text exactly as the chat format renders it (CWM's prompt, markers and all), stopped at the
/// format's end-of-turn markers. With `.chat` the episode goes as messages to
/// `/v1/chat/completions`. Answers are streamed; 429, 5xx, refused connections and timeouts are
/// retried with exponential back-off (a `Retry-After` is honoured). Token counts come from the
/// format's tokenizer: exact when it is the served model's, an estimate otherwise
/// (`tokenCountsAreEstimates`), except that the prompt count the server reports wins.
public struct EndpointModel: LanguageModel {
    public let config: EndpointConfig
    public let format: any ChatFormat
    /// True when `format`'s tokenizer is not known to be the served model's.
    public let tokenCountsAreEstimates: Bool
    private let transport: CurlTransport
    private let routePrefix: String

    public init(config: EndpointConfig, format: any ChatFormat, tokenCountsAreEstimates: Bool) throws(EndpointError) {
        let (origin, prefix) = try config.split()
        self.config = config
        self.format = format
        self.tokenCountsAreEstimates = tokenCountsAreEstimates
        routePrefix = prefix
        transport = CurlTransport(target: HTTPTarget(baseURL: origin, connectTimeout: config.connectTimeout))
    }

    /// The format's end-of-turn markers as text: what the server must stop at.
    var stopStrings: [String] {
        format.stopTokens.sorted().map { format.decode([$0]) }.filter { !$0.isEmpty }
    }

    public func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        try Task.checkCancellation()
        let route: String
        let body: Data
        let seed = UInt64(request.attempt) &* 1_000_003 &+ UInt64(request.turnIndex)
        switch config.api {
        case .completions:
            route = "/completions"
            body = try OpenAIWire.body(config: config, prompt: request.context.text, messages: nil,
                                       maxTokens: request.maxTokens, stop: request.stopStrings + stopStrings, seed: seed)
        case .chat:
            route = "/chat/completions"
            body = try OpenAIWire.body(config: config, prompt: nil, messages: request.messages.map(Self.wireMessage),
                                       maxTokens: request.maxTokens, stop: request.stopStrings + stopStrings, seed: seed)
        }
        var headers: [(String, String)] = [("Accept", config.stream ? "text/event-stream" : "application/json")]
        if let key = config.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        let http = HTTPRequest(method: "POST", path: routePrefix + route, headers: headers,
                               body: .data(body, contentType: "application/json"),
                               timeout: config.requestTimeout, idleTimeout: config.idleTimeout)

        let (completion, firstByte, finished) = try await sendWithRetries(http)
        return action(from: completion, request: request, firstByte: firstByte, finished: finished)
    }

    /// CWM's tool messages go as user messages: OpenAI's `tool` role needs a tool-call id.
    static func wireMessage(_ message: ChatMessage) -> OpenAIAPI.Message {
        let role: String
        switch message.role {
        case .system: role = "system"
        case .user, .tool: role = "user"
        case .assistant: role = "assistant"
        }
        return OpenAIAPI.Message(role: role, content: message.body)
    }

    // MARK: - Sending

    private func sendWithRetries(_ request: HTTPRequest) async throws -> (OpenAIWire.Completion, Double, Double) {
        var attempt = 0
        while true {
            attempt += 1
            switch try await sendOnce(request) {
            case .done(let completion, let firstByte, let finished):
                return (completion, firstByte, finished)
            case .retryable(let why, let retryAfter):
                guard attempt <= config.maxRetries else { throw EndpointError.unavailable(attempts: attempt, last: why) }
                try await Task.sleep(for: retryAfter ?? backoff(retry: attempt))
            }
        }
    }

    private enum Outcome {
        case done(OpenAIWire.Completion, firstByte: Double, finished: Double)
        case retryable(String, retryAfter: Duration?)
    }

    func backoff(retry: Int) -> Duration {
        let doubled = config.initialBackoff * (1 << min(retry - 1, 16))
        return min(doubled, config.maxBackoff)
    }

    private func sendOnce(_ request: HTTPRequest) async throws -> Outcome {
        let stream = StreamCollector()
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request) { chunk in stream.receive(chunk) }
        } catch .cancelled {
            throw CancellationError()
        } catch .cannotConnect(let m) {
            return .retryable("cannot connect to \(config.baseURL): \(m)", retryAfter: nil)
        } catch .timeout(let m) {
            return .retryable(m, retryAfter: nil)
        } catch .failed(let m) {
            return .retryable(m, retryAfter: nil)
        } catch .invalidArgument(let m) {
            throw EndpointError.malformed(m)
        }
        let finished = seconds(since: started)
        let body = stream.rawBody
        switch response.status {
        case 200:
            break
        case 429, 500...599:
            let retryAfter = response.header("Retry-After").flatMap(Double.init).map { Duration.seconds(min(max($0, 0), 60)) }
            return .retryable("HTTP \(response.status): \(OpenAIWire.errorMessage(body))", retryAfter: retryAfter)
        default:
            throw EndpointError.rejected(status: response.status, message: OpenAIWire.errorMessage(body))
        }
        var completion = OpenAIWire.Completion()
        let isStream = (response.header("Content-Type") ?? "").contains("text/event-stream")
        if isStream {
            var parser = ServerSentEventParser()
            var sawDone = false
            for event in parser.feed(body) + parser.finish() {
                if event.trimmingCharacters(in: .whitespaces) == "[DONE]" { sawDone = true; break }
                try OpenAIWire.accumulate(event, into: &completion)
            }
            if !sawDone && completion.finishReason == nil {
                return .retryable("the stream ended before [DONE]", retryAfter: nil)
            }
        } else {
            try OpenAIWire.accumulate(String(decoding: body, as: UTF8.self), into: &completion)
        }
        return .done(completion, firstByte: stream.firstByteSeconds(since: started) ?? finished, finished: finished)
    }

    // MARK: - The action

    private func action(from completion: OpenAIWire.Completion, request: ModelRequest, firstByte: Double, finished: Double) -> ModelAction {
        var text = completion.text
        var endedOnStop = completion.finishReason != "length"
        // A server that ignores `stop` still ends the turn at the first marker.
        if let cut = (request.stopStrings + stopStrings).filter({ !$0.isEmpty }).compactMap({ text.range(of: $0) })
            .min(by: { $0.lowerBound < $1.lowerBound }) {
            text = String(text[..<cut.lowerBound])
            endedOnStop = true
        }
        var tokens = format.encode(text)
        if tokens.count > request.maxTokens {
            tokens = Array(tokens.prefix(request.maxTokens))
            endedOnStop = false
        } else if endedOnStop {
            if let stop = format.endOfTurnToken { tokens.append(stop) }
        }
        // The turn's end marker is not sent as a stop (a server would drop it from the text).
        return ModelAction(text: text, tokens: tokens, endedOnStop: endedOnStop,
                           promptTokens: completion.promptTokens ?? request.context.count,
                           prefillSeconds: firstByte, decodeSeconds: max(0, finished - firstByte))
            .ended(at: request.endAfter, format: format)
    }
}

/// Collects a streamed body on libcurl's thread and notes when its first byte came.
private final class StreamCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var firstByte: ContinuousClock.Instant?

    func receive(_ chunk: Data) -> Bool {
        lock.withLock {
            if firstByte == nil { firstByte = .now }
            data.append(chunk)
        }
        return true
    }

    var rawBody: Data { lock.withLock { data } }

    func firstByteSeconds(since start: ContinuousClock.Instant) -> Double? {
        lock.withLock {
            firstByte.map { ($0 - start).seconds }
        }
    }
}
