import Agent
import Foundation
@testable import HTTPTransport
import Inference
import ModelServer
import Testing
import TestSupport

/// The endpoint backend against `forager serve`'s server (the real engine on 127.0.0.1), and
/// against a fault server for what a healthy local server never does (429, 503).
@Suite("Endpoint backend", .serialized)
struct EndpointModelTests {
    static let model: Model = {
        do { return try Model.load(path: try ModelLocator.resolve("tiny")) } catch { fatalError("tiny model: \(error)") }
    }()

    /// One server for the suite, with an API key.
    static let apiKey = "test-key-\(UUID().uuidString.prefix(8))"
    static let server = Task {
        try await RunningModelServer.start(ModelServer(model: model, modelName: "smollm2", contextLength: 1024, threads: 2, apiKey: apiKey))
    }

    /// The suite's server, started by the first test that asks.
    var baseURL: String { get async throws { try await Self.server.value.baseURL } }

    /// A short episode context: system, user, the assistant prefix.
    func request(maxTokens: Int = 12) -> ModelRequest {
        let system = ChatMessage(.system, "You are a helpful assistant.")
        let user = ChatMessage(.user, "Say hello.")
        let context = chatML.beginning + chatML.encode(system) + chatML.encode(user) + chatML.generationPrefix("")
        return ModelRequest(instanceID: "t", attempt: 1, turnIndex: 0, context: context, maxTokens: maxTokens, messages: [system, user])
    }

    /// What the engine generates greedily for the same tokens, cut like a turn.
    func localGreedy(_ request: ModelRequest) throws -> ModelAction {
        let session = Session(model: Self.model, contextLength: 1024, threads: 2)
        let result = try session.generate(prompt: request.context.tokens,
                                          options: GenerationOptions(maxTokens: request.maxTokens, sampling: .greedy, stopIds: chatML.stopTokens))
        return ModelAction.cut(result.tokens, format: chatML, promptTokens: result.promptTokens)
    }

    @Test("streamed /v1/completions with the raw prompt gives the engine's own greedy turn, with the server's prompt count")
    func completionsMatchTheEngine() async throws {
        let config = EndpointConfig(baseURL: try await baseURL, modelName: "smollm2", apiKey: Self.apiKey, temperature: 0)
        let endpoint = try EndpointModel(config: config, format: chatML, tokenCountsAreEstimates: false)
        let request = request()
        let action = try await endpoint.nextAction(request)
        let local = try localGreedy(request)
        #expect(!action.text.isEmpty)
        #expect(action.text == local.text)
        #expect(action.endedOnStop == local.endedOnStop)
        #expect(action.tokens == local.tokens)
        #expect(action.promptTokens == request.context.count)
        #expect(action.prefillSeconds > 0)
    }

    @Test("an end marker cuts the served turn right after it, without an end-of-turn token")
    func endMarker() async throws {
        let config = EndpointConfig(baseURL: try await baseURL, modelName: "smollm2", apiKey: Self.apiKey, temperature: 0)
        let endpoint = try EndpointModel(config: config, format: chatML, tokenCountsAreEstimates: false)
        var asked = request(maxTokens: 24)
        let whole = try await endpoint.nextAction(asked)
        let words = whole.text.split(whereSeparator: \.isWhitespace)
        guard words.count > 2 else { Issue.record("too short a turn to test on: \(whole.text)"); return }
        asked.endAfter = TextEnd(marker: String(words[0]))
        let ended = try await endpoint.nextAction(asked)
        #expect(whole.text.hasPrefix(ended.text) && ended.text.hasSuffix(words[0]) && ended.text.count < whole.text.count)
        #expect(ended.endedOnStop && ended.tokens == chatML.encode(ended.text))
    }

    @Test("an unstreamed answer and the chat route also give a turn")
    func wholeAnswersAndChat() async throws {
        let whole = try EndpointModel(config: EndpointConfig(baseURL: try await baseURL + "/v1/", modelName: "smollm2", apiKey: Self.apiKey,
                                                             stream: false, temperature: 0),
                                      format: chatML, tokenCountsAreEstimates: false)
        // The server's session now holds this prompt in its KV cache, and cached and batched
        // prefills may break a near-tie differently: check the shape, not the exact text.
        let request = request()
        let answer = try await whole.nextAction(request)
        #expect(!answer.text.isEmpty)
        #expect(answer.promptTokens == request.context.count)
        #expect(answer.tokens.count <= request.maxTokens)

        let chat = try EndpointModel(config: EndpointConfig(baseURL: try await baseURL, modelName: "smollm2", api: .chat, apiKey: Self.apiKey, temperature: 0),
                                     format: chatML, tokenCountsAreEstimates: true)
        let action = try await chat.nextAction(request)
        #expect(!action.text.isEmpty)
        #expect(action.tokens.count <= request.maxTokens)
    }

    @Test("a missing API key is refused at once, with a hint, and the key never shows in descriptions")
    func apiKey() async throws {
        let keyless = try EndpointModel(config: EndpointConfig(baseURL: try await baseURL, modelName: "smollm2", maxRetries: 3),
                                        format: chatML, tokenCountsAreEstimates: true)
        let error = await endpointError { _ = try await keyless.nextAction(request()) }
        #expect(error == .rejected(status: 401, message: "invalid or missing API key"))
        #expect(error?.description.contains("FORAGER_API_KEY") == true)

        let config = EndpointConfig(baseURL: try await baseURL, modelName: "smollm2", apiKey: Self.apiKey)
        #expect(!config.description.contains(Self.apiKey))
        #expect(!String(describing: config).contains(Self.apiKey))
        #expect(EndpointConfig.apiKey(from: ["OPENAI_API_KEY": "a", "FORAGER_API_KEY": "b"]) == "b")
        #expect(EndpointConfig.apiKey(from: ["OPENAI_API_KEY": "a", "FORAGER_API_KEY": ""]) == "a")
        #expect(EndpointConfig.apiKey(from: [:]) == nil)
    }

    @Test("a refused connection is retried with back-off, then reported with the attempts")
    func refusedConnection() async throws {
        let port = try FreePort.next()
        let endpoint = try EndpointModel(config: EndpointConfig(baseURL: "http://127.0.0.1:\(port)", modelName: "m", maxRetries: 2,
                                                                initialBackoff: .milliseconds(20)),
                                         format: chatML, tokenCountsAreEstimates: true)
        let error = await endpointError { _ = try await endpoint.nextAction(request()) }
        guard case .unavailable(let attempts, let last) = error else {
            Issue.record("expected .unavailable, got \(String(describing: error))")
            return
        }
        #expect(attempts == 3)
        #expect(last.contains("cannot connect"))
    }

    /// FAKE, because a healthy local server never rate-limits or fails: a Python server that
    /// answers 429 (Retry-After: 0) and 503 before a canned streamed completion.
    @Test("429 and 503 are retried and the next answer is used; a 400 is not retried")
    func retriesOnRateLimitsAndServerErrors() async throws {
        let fault = try await FaultServer.start(script: ["429", "503", "ok"])
        defer { fault.stop() }
        let endpoint = try EndpointModel(config: EndpointConfig(baseURL: "http://127.0.0.1:\(fault.port)", modelName: "m",
                                                                initialBackoff: .milliseconds(10)),
                                         format: chatML, tokenCountsAreEstimates: true)
        let action = try await endpoint.nextAction(request(maxTokens: 100))
        #expect(action.text == "Hello there")
        #expect(action.endedOnStop)
        #expect(action.tokens.last.map { chatML.stopTokens.contains($0) } == true)
        #expect(fault.requests() == 3)

        let refused = try await FaultServer.start(script: ["400", "ok"])
        defer { refused.stop() }
        let once = try EndpointModel(config: EndpointConfig(baseURL: "http://127.0.0.1:\(refused.port)", modelName: "m",
                                                            initialBackoff: .milliseconds(10)),
                                     format: chatML, tokenCountsAreEstimates: true)
        let error = await endpointError { _ = try await once.nextAction(request()) }
        #expect(error == .rejected(status: 400, message: "bad prompt"))
        #expect(refused.requests() == 1)
    }

    @Test("server-sent events split across chunks, CRLF and multi-line data")
    func serverSentEvents() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Data("data: {\"a\"".utf8)).isEmpty)
        #expect(parser.feed(Data(":1}\n\n: comment\r\ndata: x\r".utf8)) == ["{\"a\":1}"])
        #expect(parser.feed(Data("\ndata: y\r\n\r\ndata:[DONE]".utf8)) == ["x\ny"])
        #expect(parser.finish() == ["[DONE]"])
    }
}

/// The error an endpoint call threw, if it was an `EndpointError`.
func endpointError(_ body: () async throws -> Void) async -> EndpointError? {
    do {
        try await body()
        return nil
    } catch let error as EndpointError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

/// A Python HTTP server that answers each POST with the next scripted reply.
final class FaultServer: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let countFile: URL

    static let source = #"""
    import http.server, json, sys
    script = sys.argv[2].split(",")
    count_file = sys.argv[3]
    served = [0]
    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a): pass
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            step = script[min(served[0], len(script) - 1)]
            served[0] += 1
            open(count_file, "w").write(str(served[0]))
            if step == "ok":
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in ["Hello", " there"]:
                    self.wfile.write(b"data: " + json.dumps({"choices": [{"index": 0, "text": piece, "finish_reason": None}]}).encode() + b"\n\n")
                self.wfile.write(b"data: " + json.dumps({"choices": [{"index": 0, "text": "", "finish_reason": "stop"}], "usage": {"prompt_tokens": 7, "completion_tokens": 2}}).encode() + b"\n\n")
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                body = json.dumps({"error": {"message": "bad prompt" if step == "400" else "try later"}}).encode()
                self.send_response(int(step))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if step == "429": self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(body)
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """#

    private init(process: ChildProcess, port: Int, countFile: URL) {
        self.process = process
        self.port = port
        self.countFile = countFile
    }

    static func start(script: [String]) async throws -> FaultServer {
        let port = try FreePort.next()
        let dir = TestScratch.url.appendingPathComponent("forager-fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let program = dir.appendingPathComponent("server.py")
        try source.write(to: program, atomically: true, encoding: .utf8)
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"),
                                       ["python3", program.path, "\(port)", script.joined(separator: ","), dir.appendingPathComponent("count").path],
                                       output: .inherit, errors: .inherit)
        // Wait until it accepts connections.
        _ = try await FreePort.waitForListener(port, timeout: .seconds(5))
        return FaultServer(process: process, port: port, countFile: dir.appendingPathComponent("count"))
    }

    func requests() -> Int { Int((try? String(contentsOf: countFile, encoding: .utf8)) ?? "0") ?? 0 }

    func stop() { process.kill() }
}
