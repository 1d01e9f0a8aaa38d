import Foundation

/// Where the Docker engine listens, read the way the docker CLI reads it: `DOCKER_HOST`
/// (`unix://PATH` or `tcp://HOST:PORT`), with TLS from `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.
public struct DockerEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Transport: Sendable, Equatable {
        case unixSocket(path: String)
        case tcp(host: String, port: Int)
    }

    public struct TLS: Sendable, Equatable {
        public var caFile: String
        public var certFile: String
        public var keyFile: String
        public var verify: Bool
    }

    public static let defaultSocketPath = "/var/run/docker.sock"

    public var transport: Transport
    public var tls: TLS?

    public init(transport: Transport, tls: TLS? = nil) {
        self.transport = transport
        self.tls = tls
    }

    /// The endpoint named by the environment, or the default unix socket.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(DockerError) -> DockerEndpoint {
        let host = env["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "unix://\(defaultSocketPath)"
        var endpoint = try parse(host)
        if case .tcp = endpoint.transport {
            let verify = !(env["DOCKER_TLS_VERIFY"] ?? "").isEmpty
            if verify {
                let dir = env["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
                    ?? (env["HOME"] ?? NSHomeDirectory()) + "/.docker"
                endpoint.tls = TLS(caFile: dir + "/ca.pem", certFile: dir + "/cert.pem", keyFile: dir + "/key.pem", verify: verify)
            }
        }
        return endpoint
    }

    /// Parses `unix:///path` or `tcp://host:port` (port defaults to 2375, or 2376 with TLS).
    public static func parse(_ value: String) throws(DockerError) -> DockerEndpoint {
        if value.hasPrefix("unix://") {
            let path = String(value.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw .invalidEndpoint("DOCKER_HOST=\(value): a unix socket needs an absolute path, as in unix:///var/run/docker.sock")
            }
            return DockerEndpoint(transport: .unixSocket(path: path))
        }
        if value.hasPrefix("tcp://") {
            var rest = String(value.dropFirst("tcp://".count))
            if let slash = rest.firstIndex(of: "/") { rest = String(rest[..<slash]) }
            var host = rest
            var port = 2375
            if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
                host = String(rest[..<colon])
                guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                    throw .invalidEndpoint("DOCKER_HOST=\(value): the port is not a number from 1 to 65535")
                }
                port = p
            }
            guard !host.isEmpty else { throw .invalidEndpoint("DOCKER_HOST=\(value): no host name") }
            return DockerEndpoint(transport: .tcp(host: host, port: port))
        }
        throw .invalidEndpoint("DOCKER_HOST=\(value): expected unix:///PATH or tcp://HOST:PORT")
    }

    /// The scheme-and-authority part of request URLs. On a unix socket the host part is ignored.
    var baseURL: String {
        switch transport {
        case .unixSocket: return "http://localhost"
        case .tcp(let host, let port): return "\(tls == nil ? "http" : "https")://\(host):\(port)"
        }
    }

    public var description: String {
        switch transport {
        case .unixSocket(let path): return "unix://\(path)"
        case .tcp(let host, let port): return "tcp://\(host):\(port)\(tls == nil ? "" : " (TLS)")"
        }
    }
}
