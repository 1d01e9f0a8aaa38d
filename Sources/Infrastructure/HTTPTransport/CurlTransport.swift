import CCurl
import Dispatch
import Foundation
import Synchronization

/// Runs HTTP requests against one target with libcurl: the Docker engine's socket, a model server.
///
/// libcurl transfers block, so each one runs on a dedicated concurrent queue, never on Swift's
/// cooperative pool (two threads on this machine: a long `/wait` there would stall every task).
/// Easy handles are pooled so that keep-alive connections are reused. Safe to use from many
/// tasks at once: a handle belongs to one transfer at a time.
package final class CurlTransport: Sendable {
    package let target: HTTPTarget
    private let pool = Mutex<[CurlHandle]>([])
    private static let queue = DispatchQueue(label: "forager.curl", attributes: .concurrent)
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    package init(target: HTTPTarget) {
        _ = Self.globalInit
        self.target = target
    }

    deinit {
        pool.withLock { handles in
            for h in handles { curl_easy_cleanup(h.raw) }
            handles.removeAll()
        }
    }

    /// Performs a request and collects the whole body, or hands each chunk to `onChunk` as it arrives
    /// (then the returned body is empty). `onChunk` returning false aborts the transfer.
    package func send(_ request: HTTPRequest, onChunk: (@Sendable (Data) -> Bool)? = nil) async throws(HTTPTransportError) -> HTTPResponse {
        let cancel = CancelFlag()
        let result: Result<HTTPResponse, HTTPTransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>) in
                Self.queue.async {
                    cont.resume(returning: self.performBlocking(request, cancel: cancel, onChunk: onChunk))
                }
            }
        } onCancel: {
            cancel.set()
        }
        return try result.get()
    }

    /// Runs blocking work on the transport's queue (used by hijacked streams).
    package static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { cont in
            queue.async { cont.resume(returning: work()) }
        }
    }

    // MARK: - Handles

    package func checkoutHandle() -> CurlHandle? {
        if let h = pool.withLock({ $0.popLast() }) {
            curl_easy_reset(h.raw)
            return h
        }
        guard let raw = curl_easy_init() else { return nil }
        return CurlHandle(raw: raw)
    }

    package func checkinHandle(_ handle: CurlHandle) {
        let keep = pool.withLock { handles -> Bool in
            guard handles.count < 16 else { return false }
            handles.append(handle)
            return true
        }
        if !keep { curl_easy_cleanup(handle.raw) }
    }

    /// The options every request to this target needs: socket, TLS files, connect timeout.
    package func applyTargetOptions(_ h: UnsafeMutableRawPointer) {
        if let path = target.unixSocketPath {
            forager_curl_setopt_str(h, CURLOPT_UNIX_SOCKET_PATH, path)
        }
        if let tls = target.tls {
            forager_curl_setopt_str(h, CURLOPT_CAINFO, tls.caFile)
            forager_curl_setopt_str(h, CURLOPT_SSLCERT, tls.certFile)
            forager_curl_setopt_str(h, CURLOPT_SSLKEY, tls.keyFile)
            forager_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, tls.verify ? 1 : 0)
            forager_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, tls.verify ? 2 : 0)
        }
        forager_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, target.connectTimeout.curlMilliseconds)
        forager_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
    }

    // MARK: - One transfer

    private func performBlocking(_ request: HTTPRequest, cancel: CancelFlag, onChunk: (@Sendable (Data) -> Bool)?) -> Result<HTTPResponse, HTTPTransportError> {
        guard let handle = checkoutHandle(), let raw = handle.raw else { return .failure(.failed("curl_easy_init failed")) }
        let ctx = TransferContext(cancel: cancel, onChunk: onChunk)
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            curl_slist_free_all(headerList)
            ctx.closeBody()
            checkinHandle(handle)
        }

        applyTargetOptions(raw)
        forager_curl_setopt_str(raw, CURLOPT_URL, target.baseURL + request.path)

        // Always an explicit Content-Type (dockerd's form parsing, for one, eats bodies sent as
        // x-www-form-urlencoded), and no 100-continue round trip.
        var headers = request.headers
        headers.append(("Expect", ""))
        if let type = request.body.contentType { headers.append(("Content-Type", type)) }
        for (name, value) in headers {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        forager_curl_setopt_slist(raw, CURLOPT_HTTPHEADER, headerList)

        switch request.method {
        case "GET": forager_curl_setopt_long(raw, CURLOPT_HTTPGET, 1)
        case "HEAD": forager_curl_setopt_long(raw, CURLOPT_NOBODY, 1)
        default:
            // Also keeps POST a POST when CURLOPT_UPLOAD (which implies PUT) streams the body below.
            forager_curl_setopt_str(raw, CURLOPT_CUSTOMREQUEST, request.method)
        }
        switch request.body {
        case .none:
            if request.method == "POST" || request.method == "PUT" {
                forager_curl_setopt_long(raw, CURLOPT_POSTFIELDSIZE, 0)
                forager_curl_setopt_str(raw, CURLOPT_POSTFIELDS, "")
            }
        case .data(let data, _):
            ctx.body = .data(data, offset: 0)
            forager_curl_setopt_long(raw, CURLOPT_UPLOAD, 1)
            forager_curl_setopt_off(raw, CURLOPT_INFILESIZE_LARGE, curl_off_t(data.count))
        case .file(let path, _):
            guard let file = fopen(path, "rb") else {
                return .failure(.invalidArgument("cannot open \(path) for upload: \(String(cString: strerror(errno)))"))
            }
            var st = stat()
            fstat(fileno(file), &st)
            ctx.body = .file(file)
            forager_curl_setopt_long(raw, CURLOPT_UPLOAD, 1)
            forager_curl_setopt_off(raw, CURLOPT_INFILESIZE_LARGE, curl_off_t(st.st_size))
        }
        if let timeout = request.timeout {
            forager_curl_setopt_long(raw, CURLOPT_TIMEOUT_MS, timeout.curlMilliseconds)
        }
        if let idle = request.idleTimeout {
            // Fewer than 1 byte/s for `idle` seconds: the transfer is stuck.
            forager_curl_setopt_long(raw, CURLOPT_LOW_SPEED_LIMIT, 1)
            forager_curl_setopt_long(raw, CURLOPT_LOW_SPEED_TIME, max(1, Int(idle.components.seconds)))
        }

        let opaque = Unmanaged.passUnretained(ctx).toOpaque()
        forager_curl_setopt_cb(raw, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        forager_curl_setopt_ptr(raw, CURLOPT_WRITEDATA, opaque)
        forager_curl_setopt_cb(raw, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        forager_curl_setopt_ptr(raw, CURLOPT_HEADERDATA, opaque)
        forager_curl_setopt_cb(raw, CURLOPT_READFUNCTION, curlReadCallback)
        forager_curl_setopt_ptr(raw, CURLOPT_READDATA, opaque)
        forager_curl_setopt_long(raw, CURLOPT_NOPROGRESS, 0)
        forager_curl_setopt_xferinfo(raw, curlProgressCallback)
        forager_curl_setopt_ptr(raw, CURLOPT_XFERINFODATA, opaque)

        let code = withExtendedLifetime(ctx) { curl_easy_perform(raw) }
        var status = 0
        forager_curl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)

        switch code {
        case CURLE_OK:
            return .success(HTTPResponse(status: status, headers: ctx.headers, body: ctx.body_received))
        case CURLE_ABORTED_BY_CALLBACK:
            return .failure(.cancelled)
        case CURLE_WRITE_ERROR where ctx.stoppedByConsumer:
            return .success(HTTPResponse(status: status, headers: ctx.headers, body: ctx.body_received))
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timeout("\(request.method) \(request.path) took longer than \(request.timeout.map { "\($0)" } ?? "the limit") or stalled (\(curlMessage(code)))"))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            return .failure(.cannotConnect("\(target) (\(curlMessage(code)))"))
        default:
            return .failure(.failed("\(request.method) \(request.path): \(curlMessage(code))"))
        }
    }
}

package func curlMessage(_ code: CURLcode) -> String {
    String(cString: curl_easy_strerror(code))
}

/// A libcurl easy handle; used by one transfer at a time, which is what makes it safe to pass around.
package struct CurlHandle: @unchecked Sendable {
    package let raw: UnsafeMutableRawPointer?
}

/// Set from a task's cancellation handler, read from libcurl's progress callback.
final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}

/// The state one transfer's callbacks share; touched only by the thread running the transfer.
final class TransferContext {
    enum Body {
        case none
        case data(Data, offset: Int)
        case file(UnsafeMutablePointer<FILE>)
    }

    let cancel: CancelFlag
    let onChunk: (@Sendable (Data) -> Bool)?
    var body: Body = .none
    var body_received = Data()
    var headers: [String: String] = [:]
    var stoppedByConsumer = false

    init(cancel: CancelFlag, onChunk: (@Sendable (Data) -> Bool)?) {
        self.cancel = cancel
        self.onChunk = onChunk
    }

    func closeBody() {
        if case .file(let f) = body { fclose(f) }
        body = .none
    }
}

private func context(_ p: UnsafeMutableRawPointer?) -> TransferContext? {
    p.map { Unmanaged<TransferContext>.fromOpaque($0).takeUnretainedValue() }
}

private func curlWriteCallback(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ n: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let ctx = context(user), let ptr else { return 0 }
    let count = size * n
    if ctx.cancel.isSet { return 0 }
    if let onChunk = ctx.onChunk {
        let chunk = Data(bytes: ptr, count: count)
        if !onChunk(chunk) {
            ctx.stoppedByConsumer = true
            return 0
        }
    } else {
        ptr.withMemoryRebound(to: UInt8.self, capacity: count) { ctx.body_received.append($0, count: count) }
    }
    return count
}

private func curlHeaderCallback(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ n: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let ctx = context(user), let ptr else { return 0 }
    let count = size * n
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: count), as: UTF8.self)
        .trimmingCharacters(in: .whitespacesAndNewlines)
    if line.hasPrefix("HTTP/") {
        ctx.headers = [:]  // a new response (after a 100 Continue, say) starts a new header set
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        ctx.headers[name] = value
    }
    return count
}

private func curlReadCallback(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ n: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let ctx = context(user), let ptr else { return 0 }
    if ctx.cancel.isSet { return Int(CURL_READFUNC_ABORT) }
    let capacity = size * n
    switch ctx.body {
    case .none:
        return 0
    case .data(let data, let offset):
        let count = min(capacity, data.count - offset)
        if count <= 0 { return 0 }
        data.withUnsafeBytes { raw in
            if let base = raw.baseAddress {
                memcpy(ptr, base + offset, count)
            }
        }
        ctx.body = .data(data, offset: offset + count)
        return count
    case .file(let file):
        return fread(ptr, 1, capacity, file)
    }
}

private func curlProgressCallback(_ user: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let ctx = context(user) else { return 0 }
    return ctx.cancel.isSet ? 1 : 0
}
