import Agent
import Foundation
import Inference
import ModelServer
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `forager serve`'s server (Hummingbird over the engine), over a real socket.
@Suite(.serialized) struct ModelServerTests {
    static let model: Model = {
        do { return try Model.load(path: try ModelLocator.resolve("tiny")) } catch { fatalError("tiny model: \(error)") }
    }()

    static let server = Task {
        try await RunningModelServer.start(ModelServer(model: model, modelName: "smollm2", contextLength: 1024, threads: 2, parallel: 3))
    }

    /// Sends one request and returns the whole response (the server closes the connection).
    func http(_ method: String, _ path: String, _ body: String = "", port: Int? = nil, headers: String = "") async throws -> (status: Int, body: String) {
        var serverPort = port ?? 0
        if port == nil { serverPort = try await Self.server.value.port }
        let port = serverPort
        return try await offPool { () throws -> (status: Int, body: String) in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0 else { throw ConnectFailed(port: port) }
            let req = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\(headers)\r\n\(body)"
            _ = req.withCString { Glibc.send(fd, $0, strlen($0), 0) }
            var out = [UInt8]()
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { break }
                out += buf[0..<n]
            }
            guard let end = out.firstRange(of: Array("\r\n\r\n".utf8)) else { return (0, "") }
            let head = String(decoding: out[..<end.lowerBound], as: UTF8.self)
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            var body = Array(out[end.upperBound...])
            if head.lowercased().contains("transfer-encoding: chunked") { body = Self.dechunk(body) }
            return (status, String(decoding: body, as: UTF8.self))
        }
    }

    /// The payload of a chunked body: each chunk is its size in hex, CRLF, the bytes, CRLF; size 0 ends it.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while let line = bytes[i...].firstRange(of: [13, 10]) {
            guard let size = Int(String(decoding: bytes[i..<line.lowerBound], as: UTF8.self), radix: 16), size > 0,
                  line.upperBound + size <= bytes.count else { break }
            out += bytes[line.upperBound..<(line.upperBound + size)]
            i = line.upperBound + size + 2
            if i >= bytes.count { break }
        }
        return out
    }

    func json(_ s: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    @Test func listsTheModel() async throws {
        let r = try await http("GET", "/v1/models")
        #expect(r.status == 200)
        let data = try json(r.body)["data"] as? [[String: Any]]
        #expect(data?.first?["id"] as? String == "smollm2")
    }

    @Test func chatCompletionMatchesTheEngine() async throws {
        let r = try await http("POST", "/v1/chat/completions", #"{"messages":[{"role":"user","content":"What is the capital of France?"}],"temperature":0,"max_tokens":20}"#)
        #expect(r.status == 200)
        let obj = try json(r.body)
        let choice = (obj["choices"] as? [[String: Any]])?.first
        let content = (choice?["message"] as? [String: Any])?["content"] as? String
        #expect(content == "The capital of France is Paris.")
        #expect(choice?["finish_reason"] as? String == "stop")
        #expect((obj["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 16)
    }

    @Test func streamingCompletionAddsUpToTheFullText() async throws {
        let body = #"{"prompt":"def fibonacci(n):","temperature":0,"max_tokens":24,"stream":STREAM}"#
        let full = try json(try await http("POST", "/v1/completions", body.replacingOccurrences(of: "STREAM", with: "false")).body)
        let fullText = ((full["choices"] as? [[String: Any]])?.first?["text"] as? String) ?? "?"
        let r = try await http("POST", "/v1/completions", body.replacingOccurrences(of: "STREAM", with: "true"))
        #expect(r.status == 200)
        var text = ""
        var done = false
        var finish: String?
        for line in r.body.components(separatedBy: "\n") where line.hasPrefix("data: ") {
            let payload = String(line.dropFirst(6))
            if payload == "[DONE]" { done = true; continue }
            let c = (try json(payload)["choices"] as? [[String: Any]])?.first
            text += c?["text"] as? String ?? ""
            if let f = c?["finish_reason"] as? String { finish = f }
        }
        #expect(done)
        #expect(finish == "length")
        #expect(text == fullText)
    }

    @Test func badRequestsGetErrors() async throws {
        #expect(try await http("POST", "/v1/chat/completions", "not json").status == 400)
        #expect(try await http("POST", "/v1/chat/completions", #"{"messages":[]}"#).status == 400)
        #expect(try await http("GET", "/nowhere").status == 404)
        let noRole = try await http("POST", "/v1/chat/completions", #"{"messages":[{"content":"hi"}]}"#)
        #expect(noRole.status == 400)
        #expect(noRole.body.contains("messages[0].role"), "the error names the key: \(noRole.body)")
    }

    @Test func wrongMethodsAndTheAPIKey() async throws {
        #expect(try await http("GET", "/v1/completions").status == 405)
        #expect(try await http("GET", "/health").status == 200)
        let guarded = try await RunningModelServer.start(ModelServer(model: Self.model, modelName: "smollm2", contextLength: 256, apiKey: "k"))
        let refused = try await Self.request(port: guarded.port, "GET", "/v1/models")
        #expect(refused.status == 401 && refused.body.contains("invalid or missing API key"))
        let allowed = try await Self.request(port: guarded.port, "GET", "/v1/models", headers: "Authorization: Bearer k\r\n")
        #expect(allowed.status == 200)
        await guarded.stop()
    }

    /// `--parallel 3`: three greedy chats at once are decoded together, and each gets what it gets
    /// alone. Both sides on a fresh server, so every prompt is prefilled whole (a prompt that reuses
    /// part of another's cache is computed in a different order and may break a near-tie otherwise).
    @Test func concurrentRequestsAreBatchedAndEachGetsItsOwnAnswer() async throws {
        let questions = ["What is the capital of France?", "Name a colour.", "Count to three."]
        func body(_ q: String) -> String { #"{"messages":[{"role":"user","content":"Q"}],"temperature":0,"max_tokens":12}"#.replacingOccurrences(of: "Q", with: q) }
        func content(_ r: (status: Int, body: String)) throws -> String? {
            ((try json(r.body)["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
        }
        func fresh() async throws -> RunningModelServer {
            try await RunningModelServer.start(ModelServer(model: Self.model, modelName: "smollm2", contextLength: 512, threads: 2, parallel: 3))
        }
        let one = try await fresh()
        var alone: [String?] = []
        for q in questions { alone.append(try content(try await http("POST", "/v1/chat/completions", body(q), port: one.port))) }
        await one.stop()
        let all = try await fresh()
        let port = all.port
        let together = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for (i, q) in questions.enumerated() { group.addTask { (i, try content(try await http("POST", "/v1/chat/completions", body(q), port: port))) } }
            var out = [String?](repeating: nil, count: questions.count)
            for try await (i, text) in group { out[i] = text }
            return out
        }
        await all.stop()
        #expect(alone.allSatisfy { $0?.isEmpty == false })
        #expect(together == alone)
    }

    static func request(port: Int, _ method: String, _ path: String, headers: String = "") async throws -> (status: Int, body: String) {
        try await ModelServerTests().http(method, path, port: port, headers: headers)
    }
}

struct ConnectFailed: Error { let port: Int }
