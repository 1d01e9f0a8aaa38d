/// Everything that can go wrong talking to the engine, typed so callers can react, each carrying the
/// engine's own message where it sent one.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400: a bad parameter, or a runtime failure at container start.
    case badRequest(String)
    /// 404: no such container, image, exec instance, volume or path.
    case notFound(String)
    /// 409: a name already in use, or an object in the wrong state.
    case conflict(String)
    /// 5xx or another unexpected status.
    case server(status: Int, message: String)
    /// A streaming operation (build, pull, push, load, import) reported an error inside its 200 stream.
    case streamFailed(operation: String, message: String)
    /// The connection failed: no engine at the endpoint, a broken socket, TLS.
    case transport(String)
    /// The operation did not finish in time.
    case timeout(String)
    /// The engine's answer could not be decoded.
    case decoding(String)
    /// DOCKER_HOST or the TLS settings are unusable.
    case invalidEndpoint(String)
    /// The calling task was cancelled.
    case cancelled
    /// Bad input from the caller (a path, a tar entry), named in the message.
    case invalidArgument(String)

    static func fromStatus(_ status: Int, message: String) -> DockerError {
        switch status {
        case 400: return .badRequest(message)
        case 404: return .notFound(message)
        case 409: return .conflict(message)
        default: return .server(status: status, message: message)
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let m): return "Docker engine rejected the request (400): \(m)"
        case .notFound(let m): return "Docker engine: not found (404): \(m)"
        case .conflict(let m): return "Docker engine: conflict (409): \(m)"
        case .server(let s, let m): return "Docker engine error (\(s)): \(m)"
        case .streamFailed(let op, let m): return "Docker \(op) failed: \(m)"
        case .transport(let m): return "Cannot talk to the Docker engine: \(m)"
        case .timeout(let m): return "Timed out: \(m)"
        case .decoding(let m): return "Unexpected answer from the Docker engine: \(m)"
        case .invalidEndpoint(let m): return "Invalid Docker endpoint: \(m)"
        case .cancelled: return "Cancelled"
        case .invalidArgument(let m): return m
        }
    }

    /// The engine's message, or this error's description.
    public var message: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .conflict(let m), .transport(let m), .timeout(let m),
             .decoding(let m), .invalidEndpoint(let m), .invalidArgument(let m):
            return m
        case .server(_, let m), .streamFailed(_, let m): return m
        case .cancelled: return "cancelled"
        }
    }
}
