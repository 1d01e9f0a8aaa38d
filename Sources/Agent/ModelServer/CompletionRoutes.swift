import Agent
import Foundation
import ForagerSupport
import Hummingbird
import Inference
import NIOCore

/// The routes of `ModelServer`: errors in OpenAI's JSON shape, the API key, and the completions.
struct CompletionRoutes: Sendable {
    let server: ModelServer

    func respond(to request: Request) async -> Response {
        let path = request.uri.path
        if let key = server.apiKey, path.hasPrefix("/v1/"), request.headers[.authorization] != "Bearer \(key)" {
            return Self.json(401, OpenAIAPI.ErrorResponse(.init(message: "invalid or missing API key", type: "authentication_error")))
        }
        switch (request.method, path) {
        case (.get, "/health"): return Self.json(200, ["status": "ok"])
        case (.get, "/v1/models"): return Self.json(200, OpenAIAPI.ModelList(modelNames: [server.modelName], ownedBy: "forager"))
        case (.post, "/v1/completions"), (.post, "/v1/chat/completions"):
            let body: OpenAIAPI.CompletionRequest
            do {
                let bytes = try await request.body.collect(upTo: 64 << 20)
                body = try JSONDecoder().decode(OpenAIAPI.CompletionRequest.self, from: Data(buffer: bytes))
            } catch {
                return Self.error(400, "the body of POST \(path) is not a completion request: \(decodingProblem(error))")
            }
            do {
                return try await Completion(server: server, request: body, chat: path.hasSuffix("chat/completions")).response()
            } catch let error as InferenceError {
                return Self.error(400, error.description)
            } catch let error as CompletionProblem {
                return Self.error(400, error.description)
            } catch let error as InferenceModel.UnsupportedContext {
                return Self.error(400, error.description)
            } catch {
                return Self.error(500, "\(error)")
            }
        case (_, "/v1/completions"), (_, "/v1/chat/completions"), (_, "/v1/models"):
            return Self.error(405, "method \(request.method) not allowed on \(path)")
        default:
            return Self.error(404, "no route \(path)")
        }
    }

    static func json(_ status: Int, _ value: some Encodable) -> Response {
        let data = (try? OpenAIAPI.encode(value)) ?? Data("{}".utf8)
        return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: Int, _ message: String) -> Response {
        json(status, OpenAIAPI.ErrorResponse(.init(message: message, type: "invalid_request_error")))
    }
}

/// A request the model cannot take, in words for the client.
struct CompletionProblem: Error, CustomStringConvertible {
    let description: String
}
