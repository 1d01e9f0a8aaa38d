/// What can go wrong moving bytes, before any status code is looked at. Callers turn these into
/// their own errors (a Docker engine that is not running, a model server that is down).
package enum HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing accepted the connection (refused, unknown host, missing socket).
    case cannotConnect(String)
    /// The whole transfer, or a silent stretch of a streamed one, took longer than allowed.
    case timeout(String)
    /// The calling task was cancelled.
    case cancelled
    /// The connection broke, TLS failed, or libcurl could not start.
    case failed(String)
    /// Bad input from the caller (an upload file that cannot be opened), named in the message.
    case invalidArgument(String)

    package var description: String {
        switch self {
        case .cannotConnect(let m): "cannot connect: \(m)"
        case .timeout(let m): "timed out: \(m)"
        case .cancelled: "cancelled"
        case .failed(let m), .invalidArgument(let m): m
        }
    }
}
