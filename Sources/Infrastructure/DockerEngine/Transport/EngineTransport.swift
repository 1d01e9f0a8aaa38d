import Foundation
import HTTPTransport

/// The shared libcurl transport pointed at the engine, with its failures as `DockerError`s
/// that tell the user how to get an engine running.
final class EngineTransport: Sendable {
    let endpoint: DockerEndpoint
    let http: CurlTransport

    init(endpoint: DockerEndpoint) {
        self.endpoint = endpoint
        http = CurlTransport(target: endpoint.httpTarget)
    }

    func send(_ request: HTTPRequest, onChunk: (@Sendable (Data) -> Bool)? = nil) async throws(DockerError) -> HTTPResponse {
        do {
            return try await http.send(request, onChunk: onChunk)
        } catch {
            throw DockerError(error, endpoint: endpoint)
        }
    }

    /// Runs blocking work on the transport's queue (used by hijacked streams).
    static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await CurlTransport.runBlocking(work)
    }
}

extension DockerError {
    init(_ error: HTTPTransportError, endpoint: DockerEndpoint) {
        switch error {
        case .cannotConnect(let m):
            self = .transport("no Docker engine answers at \(endpoint) (\(m)); start it with Scripts/setup or set DOCKER_HOST")
        case .timeout(let m): self = .timeout(m)
        case .cancelled: self = .cancelled
        case .failed(let m): self = .transport(m)
        case .invalidArgument(let m): self = .invalidArgument(m)
        }
    }
}

extension DockerEndpoint {
    /// The endpoint as a libcurl target.
    var httpTarget: HTTPTarget {
        switch transport {
        case .unixSocket(let path):
            return HTTPTarget(baseURL: baseURL, unixSocketPath: path)
        case .tcp:
            return HTTPTarget(baseURL: baseURL, tls: tls.map {
                HTTPTarget.TLSFiles(caFile: $0.caFile, certFile: $0.certFile, keyFile: $0.keyFile, verify: $0.verify)
            })
        }
    }
}
