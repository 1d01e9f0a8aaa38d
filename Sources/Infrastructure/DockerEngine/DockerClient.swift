import Foundation
import HTTPTransport
import Logging

/// A typed client for the Docker Engine API over a unix socket or TCP.
///
/// Create it with `DockerClient.connect()`, which reads `DOCKER_HOST` and negotiates the API
/// version from `/_ping`. The client holds no mutable state, so one instance serves many tasks.
public final class DockerClient: Sendable {
    /// The newest API version this client speaks; older engines get their own version.
    public static let maxAPIVersion = APIVersion(1, 43)

    public let endpoint: DockerEndpoint
    /// The version every request uses: min(maxAPIVersion, the engine's).
    public let apiVersion: APIVersion
    let transport: EngineTransport
    let logger: Logger

    init(endpoint: DockerEndpoint, apiVersion: APIVersion, transport: EngineTransport, logger: Logger) {
        self.endpoint = endpoint
        self.apiVersion = apiVersion
        self.transport = transport
        self.logger = logger
    }

    /// Connects to the engine at `endpoint` (default: from the environment) and negotiates the version.
    public static func connect(
        endpoint given: DockerEndpoint? = nil,
        logger: Logger = Logger(label: "forager.docker")
    ) async throws(DockerError) -> DockerClient {
        let endpoint: DockerEndpoint
        if let given { endpoint = given } else { endpoint = try DockerEndpoint.fromEnvironment() }
        let transport = EngineTransport(endpoint: endpoint)
        let response = try await transport.send(HTTPRequest(method: "GET", path: "/_ping", timeout: .seconds(10)))
        guard response.status == 200 else {
            throw .fromStatus(response.status, message: "GET /_ping: " + errorMessage(response.body))
        }
        let server = response.header("Api-Version").flatMap(APIVersion.init(string:)) ?? APIVersion(1, 24)
        let version = min(server, maxAPIVersion)
        return DockerClient(endpoint: endpoint, apiVersion: version, transport: transport, logger: logger)
    }

    // MARK: - Request helpers

    func versioned(_ path: String) -> String { "/v\(apiVersion)\(path)" }

    /// Sends a request and maps any status outside `expect` to a typed error.
    @discardableResult
    func call(
        _ method: String, _ path: String, query: [(String, String?)] = [], body: RequestBody = .none,
        headers: [(String, String)] = [], timeout: Duration? = .seconds(120), expect: Set<Int> = [200, 201, 204, 304]
    ) async throws(DockerError) -> HTTPResponse {
        let request = HTTPRequest(method: method, path: versioned(path) + Query.encode(query), headers: headers, body: body, timeout: timeout)
        let response = try await transport.send(request)
        guard expect.contains(response.status) else {
            throw .fromStatus(response.status, message: errorMessage(response.body))
        }
        return response
    }

    /// Sends a request and decodes its JSON answer.
    func decode<T: Decodable>(
        _ type: T.Type, _ method: String, _ path: String, query: [(String, String?)] = [], body: RequestBody = .none,
        timeout: Duration? = .seconds(120)
    ) async throws(DockerError) -> T {
        let response = try await call(method, path, query: query, body: body, timeout: timeout)
        return try decodeJSON(type, response.body, what: "\(method) \(path)")
    }

    /// Sends a request whose answer is a stream of JSON lines (build, pull, push, load, import).
    /// Each line goes to `onLine`; an `errorDetail`/`error` line fails the operation with its message.
    func jsonLines(
        _ operation: String, _ method: String, _ path: String, query: [(String, String?)] = [], body: RequestBody = .none,
        headers: [(String, String)] = [], onLine: @escaping @Sendable (JSONLine) -> Void
    ) async throws(DockerError) {
        let splitter = LineSplitter()
        let failure = LockedBox<String?>(nil)
        let request = HTTPRequest(method: method, path: versioned(path) + Query.encode(query), headers: headers, body: body, timeout: nil)
        let errorBody = LockedBox<Data>(Data())
        let response = try await transport.send(request) { chunk in
            // Error statuses carry a plain {"message"} body; keep it whole.
            errorBody.withLock { $0.count < 1 << 20 ? $0.append(chunk) : () }
            for line in splitter.push(chunk) {
                guard let parsed = JSONLine(line) else { continue }
                if let message = parsed.error { failure.withLock { $0 = $0 ?? message } }
                onLine(parsed)
            }
            return true
        }
        guard (200..<300).contains(response.status) else {
            throw .fromStatus(response.status, message: errorMessage(errorBody.withLock { $0 }))
        }
        for line in splitter.finish() {
            guard let parsed = JSONLine(line) else { continue }
            if let message = parsed.error { failure.withLock { $0 = $0 ?? message } }
            onLine(parsed)
        }
        if let message = failure.withLock({ $0 }) { throw .streamFailed(operation: operation, message: message) }
    }

    /// Sends any request as given and returns the raw answer without mapping errors. For probing the
    /// API beyond this client's typed calls; `path` is unversioned (the negotiated prefix is added).
    public func rawRequest(
        method: String, path: String, body: Data? = nil, contentType: String? = "application/json", timeout: Duration = .seconds(60)
    ) async throws(DockerError) -> (status: Int, body: Data) {
        let requestBody: RequestBody = body.map { .data($0, contentType: contentType ?? "application/octet-stream") } ?? .none
        let response = try await transport.send(HTTPRequest(method: method, path: versioned(path), body: requestBody, timeout: timeout))
        return (response.status, response.body)
    }
}

/// An Engine API version such as 1.41.
public struct APIVersion: Sendable, Comparable, CustomStringConvertible, Hashable {
    public let major: Int
    public let minor: Int
    public init(_ major: Int, _ minor: Int) { self.major = major; self.minor = minor }
    public init?(string: String) {
        let parts = string.split(separator: ".")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        self.init(a, b)
    }
    public static func < (l: APIVersion, r: APIVersion) -> Bool { (l.major, l.minor) < (r.major, r.minor) }
    public var description: String { "\(major).\(minor)" }
}

/// The engine's error body, `{"message": …}`.
private struct EngineErrorBody: Decodable {
    let message: String
}

/// The engine's error text: `{"message": …}`, or the body as text when it is not JSON.
func errorMessage(_ body: Data) -> String {
    if let error = try? JSONDecoder().decode(EngineErrorBody.self, from: body) {
        return error.message
    }
    let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "(no message)" : text
}

func decodeJSON<T: Decodable>(_ type: T.Type, _ data: Data, what: String) throws(DockerError) -> T {
    do {
        return try JSONDecoder().decode(type, from: data)
    } catch {
        let preview = String(decoding: data.prefix(300), as: UTF8.self)
        throw .decoding("\(what): \(error) in \(preview)")
    }
}

func encodeJSON<T: Encodable>(_ value: T) throws(DockerError) -> RequestBody {
    do {
        return .data(try JSONEncoder().encode(value), contentType: "application/json")
    } catch {
        throw .invalidArgument("cannot encode request: \(error)")
    }
}
