import ForagerSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An OpenAI-compatible HTTP server over the engine: `GET /v1/models`, `POST /v1/completions`
/// and `POST /v1/chat/completions`, with `"stream": true` as server-sent events. Requests are
/// served one at a time on one `Session`, so a conversation that grows turn by turn only
/// prefills its new tokens. HTTP/1.1 with `Connection: close`. With an API key, the `/v1` routes
/// answer 401 unless the request carries `Authorization: Bearer KEY`.
public final class OpenAIServer: @unchecked Sendable {
    public let model: Model
    public let modelName: String
    private let apiKey: String?
    private let session: Session
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    public private(set) var port: Int = 0

    public init(model: Model, modelName: String, contextLength: Int = 4096, threads: Int? = nil, apiKey: String? = nil) {
        self.model = model
        self.modelName = modelName
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        session = Session(model: model, contextLength: contextLength, threads: threads)
    }

    /// Binds and listens; `port` 0 picks a free port (read it back from `port`).
    public func bind(host: String, port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw InferenceError.io("\(host):\(port)", "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            close(fd)
            throw InferenceError.invalidArgument("--host \(host) is not an IPv4 address")
        }
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0, listen(fd, 64) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw InferenceError.io("\(host):\(port)", "cannot listen: \(why)")
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = Int(UInt16(bigEndian: bound.sin_port))
        listenFD = fd
    }

    /// Accepts connections until `stop()`; each is handled on its own thread.
    public func serve() {
        while true {
            let c = accept(listenFD, nil, nil)
            if c < 0 { if errno == EINTR { continue }; return }
            let t = Thread { [self] in handle(c) }
            t.start()
        }
    }

    public func stop() {
        if listenFD >= 0 { shutdown(listenFD, Int32(SHUT_RDWR)); close(listenFD); listenFD = -1 }
    }

    // MARK: HTTP

    private struct Request { var method: String; var path: String; var authorization: String?; var body: Data }

    private func readRequest(_ fd: Int32) -> Request? {
        var buf = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headerEnd = 0
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buf += chunk[0..<n]
            if let r = buf.firstRange(of: [13, 10, 13, 10]) { headerEnd = r.upperBound; break }
            if buf.count > 1 << 20 { return nil }
        }
        let head = String(decoding: buf[..<headerEnd], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var length = 0
        var authorization: String?
        for l in lines.dropFirst() {
            let kv = l.split(separator: ":", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let value = kv[1].trimmingCharacters(in: .whitespaces)
            switch kv[0].lowercased() {
            case "content-length": length = Int(value) ?? 0
            case "authorization": authorization = value
            default: break
            }
        }
        var body = Array(buf[headerEnd...])
        while body.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            body += chunk[0..<n]
        }
        return Request(method: String(parts[0]), path: String(parts[1].split(separator: "?")[0]), authorization: authorization, body: Data(body))
    }

    private func send(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, base + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    private func respond(_ fd: Int32, status: Int, json: some Encodable) {
        let body = (try? OpenAIAPI.encode(json)) ?? Data("{}".utf8)
        let reason = [200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"][status] ?? "Error"
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        _ = send(fd, Data(head.utf8) + body)
    }

    private func error(_ fd: Int32, _ status: Int, _ message: String) {
        respond(fd, status: status, json: OpenAIAPI.ErrorResponse(.init(message: message, type: "invalid_request_error")))
    }

    private func handle(_ fd: Int32) {
        defer { close(fd) }
        guard let req = readRequest(fd) else { return }
        if let apiKey, req.path.hasPrefix("/v1/"), req.authorization != "Bearer \(apiKey)" {
            return respond(fd, status: 401, json: OpenAIAPI.ErrorResponse(.init(message: "invalid or missing API key", type: "authentication_error")))
        }
        switch (req.method, req.path) {
        case ("GET", "/health"): respond(fd, status: 200, json: ["status": "ok"])
        case ("GET", "/v1/models"):
            respond(fd, status: 200, json: OpenAIAPI.ModelList(modelNames: [modelName], ownedBy: "forager"))
        case ("POST", "/v1/completions"), ("POST", "/v1/chat/completions"):
            let body: OpenAIAPI.CompletionRequest
            do {
                body = try JSONDecoder().decode(OpenAIAPI.CompletionRequest.self, from: req.body)
            } catch {
                return self.error(fd, 400, "the body of \(req.method) \(req.path) is not a completion request: \(decodingProblem(error))")
            }
            do { try complete(fd, body: body, chat: req.path.hasSuffix("chat/completions")) }
            catch let e as InferenceError { error(fd, 400, e.description) }
            catch { self.error(fd, 500, "\(error)") }
        case (_, "/v1/completions"), (_, "/v1/chat/completions"), (_, "/v1/models"): error(fd, 405, "method \(req.method) not allowed on \(req.path)")
        default: error(fd, 404, "no route \(req.path)")
        }
    }

    // MARK: completions

    private func complete(_ fd: Int32, body: OpenAIAPI.CompletionRequest, chat: Bool) throws {
        let tok = model.tokenizer
        let ids: [Int]
        if chat {
            guard let messages = body.messages, !messages.isEmpty else { throw InferenceError.invalidArgument("messages must be a non-empty array") }
            ids = ChatFormat.prompt(messages.map { ChatFormat.Message(role: $0.role, content: $0.content) }, tokenizer: tok)
        } else {
            guard let prompt = body.prompt else { throw InferenceError.invalidArgument("prompt must be a string") }
            ids = tok.encodePrompt(prompt, parseSpecial: true)
        }
        let maxTokens = body.maxCompletionTokens ?? body.maxTokens ?? (chat ? 512 : 16)
        let sampling = SamplingParameters(temperature: Float(body.temperature ?? 1), topK: body.topK ?? 0,
                                          topP: Float(body.topP ?? 1), seed: body.seed ?? 0)
        let id = (chat ? "chatcmpl-" : "cmpl-") + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(24)
        let created = Int(Date().timeIntervalSince1970)
        let options = GenerationOptions(maxTokens: maxTokens, sampling: sampling, stopStrings: body.stop ?? [])
        func answer(_ choice: OpenAIAPI.Choice, usage: OpenAIAPI.Usage? = nil, chunk: Bool) -> OpenAIAPI.Completion {
            let object = chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion"
            return OpenAIAPI.Completion(id: id, object: object, created: created, model: modelName, choices: [choice], usage: usage)
        }
        func finish(_ r: GenerationResult) -> String { r.stopReason == .length ? "length" : "stop" }

        lock.lock()
        defer { lock.unlock() }
        guard body.stream == true else {
            let r = try session.generate(prompt: ids, options: options)
            let choice = chat ? OpenAIAPI.Choice(message: .init(role: "assistant", content: r.text), finishReason: finish(r))
                              : OpenAIAPI.Choice(text: r.text, finishReason: finish(r))
            respond(fd, status: 200, json: answer(choice, usage: usage(r), chunk: false))
            return
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
        guard send(fd, Data(head.utf8)) else { return }
        func event(_ choice: OpenAIAPI.Choice, usage: OpenAIAPI.Usage? = nil) -> Bool {
            guard let d = try? OpenAIAPI.encode(answer(choice, usage: usage, chunk: true)) else { return false }
            return send(fd, Data("data: ".utf8) + d + Data("\n\n".utf8))
        }
        if chat { _ = event(OpenAIAPI.Choice(delta: .init(role: "assistant", content: ""))) }
        let r = try session.generate(prompt: ids, options: options) { text in
            event(chat ? OpenAIAPI.Choice(delta: .init(content: text)) : OpenAIAPI.Choice(text: text))
        }
        _ = event(chat ? OpenAIAPI.Choice(delta: .init(), finishReason: finish(r)) : OpenAIAPI.Choice(text: "", finishReason: finish(r)),
                  usage: usage(r))
        _ = send(fd, Data("data: [DONE]\n\n".utf8))
    }

    private func usage(_ r: GenerationResult) -> OpenAIAPI.Usage {
        OpenAIAPI.Usage(promptTokens: r.promptTokens, completionTokens: r.tokens.count)
    }
}
