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
        var headerEnd: Int?
        while headerEnd == nil {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return nil }
            buf += chunk[0..<n]
            if let r = buf.firstRange(of: [13, 10, 13, 10]) { headerEnd = r.upperBound }
            if buf.count > 1 << 20 { return nil }
        }
        let head = String(decoding: buf[..<headerEnd!], as: UTF8.self)
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
        var body = Array(buf[headerEnd!...])
        while body.count < length {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            body += chunk[0..<n]
        }
        return Request(method: String(parts[0]), path: String(parts[1].split(separator: "?")[0]), authorization: authorization, body: Data(body))
    }

    private func send(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + off, raw.count - off, Int32(MSG_NOSIGNAL))
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }

    private func respond(_ fd: Int32, status: Int, json: Any) {
        let body = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data("{}".utf8)
        let reason = [200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"][status] ?? "Error"
        let head = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        _ = send(fd, Data(head.utf8) + body)
    }

    private func error(_ fd: Int32, _ status: Int, _ message: String) {
        respond(fd, status: status, json: ["error": ["message": message, "type": "invalid_request_error"]])
    }

    private func handle(_ fd: Int32) {
        defer { close(fd) }
        guard let req = readRequest(fd) else { return }
        if let apiKey, req.path.hasPrefix("/v1/"), req.authorization != "Bearer \(apiKey)" {
            return respond(fd, status: 401, json: ["error": ["message": "invalid or missing API key", "type": "authentication_error"]])
        }
        switch (req.method, req.path) {
        case ("GET", "/health"): respond(fd, status: 200, json: ["status": "ok"])
        case ("GET", "/v1/models"):
            respond(fd, status: 200, json: ["object": "list", "data": [["id": modelName, "object": "model", "owned_by": "forager", "created": 0]]])
        case ("POST", "/v1/completions"), ("POST", "/v1/chat/completions"):
            guard let body = try? JSONSerialization.jsonObject(with: req.body) as? [String: Any] else {
                return error(fd, 400, "the request body is not a JSON object")
            }
            do { try complete(fd, body: body, chat: req.path.hasSuffix("chat/completions")) }
            catch let e as InferenceError { error(fd, 400, e.description) }
            catch { self.error(fd, 500, "\(error)") }
        case (_, "/v1/completions"), (_, "/v1/chat/completions"), (_, "/v1/models"): error(fd, 405, "method \(req.method) not allowed on \(req.path)")
        default: error(fd, 404, "no route \(req.path)")
        }
    }

    // MARK: completions

    private func complete(_ fd: Int32, body: [String: Any], chat: Bool) throws {
        let tok = model.tokenizer
        let ids: [Int]
        if chat {
            guard let msgs = body["messages"] as? [[String: Any]], !msgs.isEmpty else { throw InferenceError.invalidArgument("messages must be a non-empty array") }
            let messages = try msgs.map { m -> ChatFormat.Message in
                guard let role = m["role"] as? String else { throw InferenceError.invalidArgument("every message needs a role") }
                var content = m["content"] as? String ?? ""
                if let parts = m["content"] as? [[String: Any]] { content = parts.compactMap { $0["text"] as? String }.joined() }
                return ChatFormat.Message(role: role, content: content)
            }
            ids = ChatFormat.prompt(messages, tokenizer: tok)
        } else {
            let p = (body["prompt"] as? String) ?? (body["prompt"] as? [String])?.first
            guard let prompt = p else { throw InferenceError.invalidArgument("prompt must be a string") }
            ids = tok.encodePrompt(prompt, parseSpecial: true)
        }
        func number(_ k: String) -> Double? { (body[k] as? NSNumber)?.doubleValue }
        let maxTokens = Int(number("max_completion_tokens") ?? number("max_tokens") ?? (chat ? 512 : 16))
        let sampling = SamplingParameters(temperature: Float(number("temperature") ?? 1), topK: Int(number("top_k") ?? 0),
                                          topP: Float(number("top_p") ?? 1), seed: UInt64(max(0, number("seed") ?? 0)))
        let stops = (body["stop"] as? [String]) ?? (body["stop"] as? String).map { [$0] } ?? []
        let stream = body["stream"] as? Bool ?? false
        let id = (chat ? "chatcmpl-" : "cmpl-") + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(24)
        let created = Int(Date().timeIntervalSince1970)
        let options = GenerationOptions(maxTokens: maxTokens, sampling: sampling, stopStrings: stops)

        lock.lock()
        defer { lock.unlock() }
        if !stream {
            let r = try session.generate(prompt: ids, options: options)
            let finish = r.stopReason == .length ? "length" : "stop"
            let choice: [String: Any] = chat
                ? ["index": 0, "message": ["role": "assistant", "content": r.text], "finish_reason": finish, "logprobs": NSNull()]
                : ["index": 0, "text": r.text, "finish_reason": finish, "logprobs": NSNull()]
            respond(fd, status: 200, json: ["id": id, "object": chat ? "chat.completion" : "text_completion", "created": created,
                                            "model": modelName, "choices": [choice], "usage": usage(r)])
            return
        }
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
        guard send(fd, Data(head.utf8)) else { return }
        func event(_ obj: [String: Any]) -> Bool {
            guard let d = try? JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]) else { return false }
            return send(fd, Data("data: ".utf8) + d + Data("\n\n".utf8))
        }
        func chunk(_ choice: [String: Any]) -> [String: Any] {
            ["id": id, "object": chat ? "chat.completion.chunk" : "text_completion", "created": created, "model": modelName, "choices": [choice]]
        }
        if chat { _ = event(chunk(["index": 0, "delta": ["role": "assistant", "content": ""], "finish_reason": NSNull()])) }
        let r = try session.generate(prompt: ids, options: options) { text in
            event(chunk(chat ? ["index": 0, "delta": ["content": text], "finish_reason": NSNull()]
                             : ["index": 0, "text": text, "finish_reason": NSNull(), "logprobs": NSNull()]))
        }
        let finish = r.stopReason == .length ? "length" : "stop"
        var last = chunk(chat ? ["index": 0, "delta": [String: Any](), "finish_reason": finish]
                              : ["index": 0, "text": "", "finish_reason": finish, "logprobs": NSNull()])
        last["usage"] = usage(r)
        _ = event(last)
        _ = send(fd, Data("data: [DONE]\n\n".utf8))
    }

    private func usage(_ r: GenerationResult) -> [String: Int] {
        ["prompt_tokens": r.promptTokens, "completion_tokens": r.tokens.count, "total_tokens": r.promptTokens + r.tokens.count]
    }
}
