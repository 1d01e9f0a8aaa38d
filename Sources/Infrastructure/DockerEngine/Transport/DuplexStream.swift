import CCurl
import Foundation
import HTTPTransport
import Synchronization

/// A hijacked exec connection: write to the process's stdin, half-close it, read its multiplexed
/// stdout/stderr with a deadline. Made with libcurl's CONNECT_ONLY, so it works over a unix socket,
/// TCP and TLS alike.
///
/// Reads and writes are serialized by a lock; the persistent bash session writes a command and then
/// reads its answer, so it never needs both at once.
public final class DuplexStream: Sendable {
    public let execID: String
    private let state: Mutex<State>

    private struct State: @unchecked Sendable {
        var handle: UnsafeMutableRawPointer?
        var socket: Int32
        var demuxer = StreamDemuxer()
        var pending: [StreamDemuxer.Frame] = []
        var eof = false
        var writeClosed = false
    }

    private init(execID: String, handle: UnsafeMutableRawPointer, socket: Int32, leftover: Data) {
        self.execID = execID
        var s = State(handle: handle, socket: socket)
        s.pending = s.demuxer.push(leftover)
        state = Mutex(s)
    }

    deinit {
        state.withLock { s in
            if let h = s.handle { curl_easy_cleanup(h) }
            s.handle = nil
        }
    }

    /// Connects, sends the upgrade request and reads the response head.
    static func open(transport: EngineTransport, path: String, body: Data, execID: String) async throws(DockerError) -> DuplexStream {
        let result: Result<DuplexStream, DockerError> = await EngineTransport.runBlocking {
            openBlocking(transport: transport, path: path, body: body, execID: execID)
        }
        return try result.get()
    }

    private static func openBlocking(transport: EngineTransport, path: String, body: Data, execID: String) -> Result<DuplexStream, DockerError> {
        guard let h = curl_easy_init() else { return .failure(.transport("curl_easy_init failed")) }
        transport.http.applyTargetOptions(h)
        forager_curl_setopt_str(h, CURLOPT_URL, transport.endpoint.baseURL + "/")
        forager_curl_setopt_long(h, CURLOPT_CONNECT_ONLY, 1)
        let code = curl_easy_perform(h)
        guard code == CURLE_OK else {
            curl_easy_cleanup(h)
            return .failure(.transport("connecting to \(transport.endpoint): \(curlMessage(code))"))
        }
        var sock: curl_socket_t = -1
        forager_curl_getinfo_socket(h, CURLINFO_ACTIVESOCKET, &sock)

        let host: String
        switch transport.endpoint.transport {
        case .unixSocket: host = "localhost"
        case .tcp(let name, let port): host = "\(name):\(port)"
        }
        var request = Data("POST \(path) HTTP/1.1\r\nHost: \(host)\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        request.append(body)
        if let error = sendAll(h, sock, request, deadline: ContinuousClock.now + .seconds(10)) {
            curl_easy_cleanup(h)
            return .failure(error)
        }
        // Read the response head; what follows it already belongs to the stream.
        var head = Data()
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if let end = head.firstRange(of: Data("\r\n\r\n".utf8)) {
                let headText = String(decoding: head[..<end.lowerBound], as: UTF8.self)
                let statusLine = headText.split(separator: "\r\n").first.map(String.init) ?? ""
                let parts = statusLine.split(separator: " ")
                let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                guard status == 101 || status == 200 else {
                    curl_easy_cleanup(h)
                    let bodyText = String(decoding: head[end.upperBound...], as: UTF8.self)
                    return .failure(.fromStatus(status, message: errorMessage(Data(bodyText.utf8))))
                }
                let stream = DuplexStream(execID: execID, handle: h, socket: sock, leftover: Data(head[end.upperBound...]))
                return .success(stream)
            }
            switch recvSome(h, sock, until: deadline) {
            case .data(let d): head.append(d)
            case .eof:
                curl_easy_cleanup(h)
                return .failure(.transport("engine closed the connection before answering the exec upgrade"))
            case .timeout:
                curl_easy_cleanup(h)
                return .failure(.timeout("no answer to the exec upgrade within 30 s"))
            case .error(let e):
                curl_easy_cleanup(h)
                return .failure(e)
            }
        }
    }

    // MARK: - Use

    /// Writes bytes to the process's stdin.
    public func write(_ data: Data) async throws(DockerError) {
        let result: DockerError? = await EngineTransport.runBlocking { self.writeBlocking(data) }
        if let result { throw result }
    }

    public func writeBlocking(_ data: Data) -> DockerError? {
        state.withLock { s in
            guard let h = s.handle else { return .transport("the exec stream is closed") }
            if s.writeClosed { return .transport("stdin of the exec is already closed") }
            return Self.sendAll(h, s.socket, data, deadline: ContinuousClock.now + .seconds(30))
        }
    }

    /// Half-closes the connection: the process sees end of file on stdin.
    public func closeWrite() {
        state.withLock { s in
            guard s.handle != nil, !s.writeClosed else { return }
            s.writeClosed = true
            shutdown(s.socket, Int32(SHUT_WR))
        }
    }

    /// The next frame, waiting until `deadline`; nil at end of stream. Throws `.timeout` at the deadline.
    public func readFrame(until deadline: ContinuousClock.Instant) async throws(DockerError) -> StreamDemuxer.Frame? {
        let result: Result<StreamDemuxer.Frame?, DockerError> = await EngineTransport.runBlocking {
            self.readFrameBlocking(until: deadline)
        }
        return try result.get()
    }

    public func readFrameBlocking(until deadline: ContinuousClock.Instant) -> Result<StreamDemuxer.Frame?, DockerError> {
        state.withLock { s in
            while true {
                if !s.pending.isEmpty { return .success(s.pending.removeFirst()) }
                if s.eof { return .success(nil) }
                guard let h = s.handle else { return .success(nil) }
                switch Self.recvSome(h, s.socket, until: deadline) {
                case .data(let d): s.pending.append(contentsOf: s.demuxer.push(d))
                case .eof: s.eof = true
                case .timeout: return .failure(.timeout("no output from exec \(self.execID) before the deadline"))
                case .error(let e): return .failure(e)
                }
            }
        }
    }

    /// Closes the connection. The process keeps running if it ignores end of file: kill it separately.
    public func close() {
        state.withLock { s in
            if let h = s.handle { curl_easy_cleanup(h) }
            s.handle = nil
            s.eof = true
        }
    }

    // MARK: - Socket I/O through libcurl

    private enum Received { case data(Data), eof, timeout, error(DockerError) }

    private static func recvSome(_ h: UnsafeMutableRawPointer, _ sock: Int32, until deadline: ContinuousClock.Instant) -> Received {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var got = 0
            let code = buffer.withUnsafeMutableBytes { curl_easy_recv(h, $0.baseAddress, $0.count, &got) }
            if code == CURLE_OK { return got == 0 ? .eof : .data(Data(buffer[0..<got])) }
            if code != CURLE_AGAIN { return .error(.transport("reading the exec stream: \(curlMessage(code))")) }
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return .timeout }
            let ms = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            var pfd = pollfd(fd: sock, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, ms)
            if r < 0 && errno != EINTR { return .error(.transport("poll: \(String(cString: strerror(errno)))")) }
        }
    }

    private static func sendAll(_ h: UnsafeMutableRawPointer, _ sock: Int32, _ data: Data, deadline: ContinuousClock.Instant) -> DockerError? {
        var offset = 0
        let bytes = [UInt8](data)
        while offset < bytes.count {
            var sent = 0
            let code = bytes.withUnsafeBytes { raw -> CURLcode in
                guard let base = raw.baseAddress else { return CURLE_OK }
                return curl_easy_send(h, base + offset, bytes.count - offset, &sent)
            }
            if code == CURLE_OK { offset += sent; continue }
            if code != CURLE_AGAIN { return .transport("writing to the exec stream: \(curlMessage(code))") }
            if ContinuousClock.now >= deadline { return .timeout("the exec's stdin did not accept input in time") }
            var pfd = pollfd(fd: sock, events: Int16(POLLOUT), revents: 0)
            _ = poll(&pfd, 1, 100)
        }
        return nil
    }
}
