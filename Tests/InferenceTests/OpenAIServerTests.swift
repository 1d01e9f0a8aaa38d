import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Inference

/// The OpenAI-compatible server, over a real socket.
@Suite(.serialized) struct OpenAIServerTests {
    static let server: OpenAIServer? = {
        guard let m = try? Fixtures.tinyModel() else { return nil }
        let s = OpenAIServer(model: m, modelName: "smollm2", contextLength: 1024, threads: 2)
        guard (try? s.bind(host: "127.0.0.1", port: 0)) != nil else { return nil }
        Thread { s.serve() }.start()
        return s
    }()

    /// Sends one request and returns the whole response (the server closes the connection).
    func http(_ method: String, _ path: String, _ body: String = "") throws -> (status: Int, body: String) {
        let server = try #require(Self.server)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(server.port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        try #require(rc == 0)
        let req = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        _ = req.withCString { Glibc.send(fd, $0, strlen($0), 0) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        let text = String(decoding: out, as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        let bodyStart = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, bodyStart)
    }

    func json(_ s: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    @Test func listsTheModel() throws {
        let r = try http("GET", "/v1/models")
        #expect(r.status == 200)
        let data = try json(r.body)["data"] as? [[String: Any]]
        #expect(data?.first?["id"] as? String == "smollm2")
    }

    @Test func chatCompletionMatchesTheEngine() throws {
        let r = try http("POST", "/v1/chat/completions", #"{"messages":[{"role":"user","content":"What is the capital of France?"}],"temperature":0,"max_tokens":20}"#)
        #expect(r.status == 200)
        let obj = try json(r.body)
        let choice = (obj["choices"] as? [[String: Any]])?.first
        let content = (choice?["message"] as? [String: Any])?["content"] as? String
        #expect(content == "The capital of France is Paris.")
        #expect(choice?["finish_reason"] as? String == "stop")
        #expect((obj["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 16)
    }

    @Test func streamingCompletionAddsUpToTheFullText() throws {
        let body = #"{"prompt":"def fibonacci(n):","temperature":0,"max_tokens":24,"stream":STREAM}"#
        let full = try json(try http("POST", "/v1/completions", body.replacingOccurrences(of: "STREAM", with: "false")).body)
        let fullText = ((full["choices"] as? [[String: Any]])?.first?["text"] as? String) ?? "?"
        let r = try http("POST", "/v1/completions", body.replacingOccurrences(of: "STREAM", with: "true"))
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

    @Test func badRequestsGetErrors() throws {
        #expect(try http("POST", "/v1/chat/completions", "not json").status == 400)
        #expect(try http("POST", "/v1/chat/completions", #"{"messages":[]}"#).status == 400)
        #expect(try http("GET", "/nowhere").status == 404)
        let noRole = try http("POST", "/v1/chat/completions", #"{"messages":[{"content":"hi"}]}"#)
        #expect(noRole.status == 400)
        #expect(noRole.body.contains("messages[0].role"), "the error names the key: \(noRole.body)")
    }
}
