import Agent
import Foundation
import Hummingbird
import Inference
import Logging
import NIOCore
import Synchronization

/// `forager serve`: the in-process engine behind OpenAI-compatible routes, on Hummingbird —
/// `GET /v1/models`, `POST /v1/completions` and `POST /v1/chat/completions` (`"stream": true` as
/// server-sent events), `GET /health`. Requests go to one `InferenceModel`, so concurrent ones
/// are decoded together (continuous batching) on up to `parallel` sessions, each a KV cache that
/// a growing conversation continues. Chat prompts are rendered by the same chat format the
/// in-process runs use. With an API key, the `/v1` routes answer 401 unless the request carries
/// `Authorization: Bearer KEY`.
public struct ModelServer: Sendable {
    public let model: InferenceModel
    public let modelName: String
    public let apiKey: String?

    /// - parallel: sequences decoded at once and conversations kept (a KV cache each).
    public init(model: Model, modelName: String, contextLength: Int? = nil, threads: Int? = nil, parallel: Int = 1, apiKey: String? = nil) {
        self.model = InferenceModel(model: model, format: chatFormat(for: model.tokenizer), contextLength: contextLength,
                                    threads: threads, maxSessions: max(1, parallel))
        self.modelName = modelName
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Listens on host:port (port 0: any free port) and serves until the task is cancelled.
    /// `onListening` gets the port once the socket is bound.
    public func run(host: String, port: Int, onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws(ModelServerError) {
        guard (0...65_535).contains(port) else { throw .listen(host: host, port: port, reason: "the port must be from 0 to 65535") }
        var logger = Logger(label: "forager.serve")
        logger.logLevel = .warning
        let listening = Mutex(false)
        let routes = CompletionRoutes(server: self)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await routes.respond(to: request) },
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                listening.withLock { $0 = true }
                await onListening(channel.localAddress?.port ?? port)
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            throw .listen(host: host, port: port, reason: listening.withLock({ $0 }) ? "the server stopped: \(error)" : "\(error)")
        }
    }
}

public enum ModelServerError: Error, Sendable, CustomStringConvertible {
    case listen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .listen(let host, let port, let reason): "forager serve: cannot serve on \(host):\(port): \(reason)"
        }
    }
}
