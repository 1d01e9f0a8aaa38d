/// Where requests go: a base URL, reached over TCP or through a unix socket, with optional
/// client TLS files.
package struct HTTPTarget: Sendable, Equatable, CustomStringConvertible {
    package struct TLSFiles: Sendable, Equatable {
        package var caFile: String
        package var certFile: String
        package var keyFile: String
        package var verify: Bool

        package init(caFile: String, certFile: String, keyFile: String, verify: Bool) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.verify = verify
        }
    }

    /// Scheme and authority, e.g. `http://127.0.0.1:8080`; paths are appended to it.
    package var baseURL: String
    /// Connect through this unix socket instead of TCP (the URL's host is then ignored).
    package var unixSocketPath: String?
    package var tls: TLSFiles?
    package var connectTimeout: Duration

    package init(baseURL: String, unixSocketPath: String? = nil, tls: TLSFiles? = nil, connectTimeout: Duration = .seconds(10)) {
        self.baseURL = baseURL
        self.unixSocketPath = unixSocketPath
        self.tls = tls
        self.connectTimeout = connectTimeout
    }

    package var description: String { unixSocketPath.map { "unix://\($0)" } ?? baseURL }
}

extension Duration {
    /// Whole milliseconds, at least 1 (what libcurl's *_MS options take).
    package var curlMilliseconds: Int {
        max(1, Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000))
    }
}
