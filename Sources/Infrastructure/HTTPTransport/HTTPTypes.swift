import Foundation

/// One HTTP request. `path` is appended to the target's base URL and includes the query string.
package struct HTTPRequest: Sendable {
    package var method: String
    package var path: String
    package var headers: [(String, String)]
    package var body: RequestBody
    /// Whole-transfer limit; nil waits as long as the server takes (long polls, builds).
    package var timeout: Duration?
    /// Give up when no byte arrives for this long (streamed answers that stall); nil: never.
    package var idleTimeout: Duration?

    package init(method: String, path: String, headers: [(String, String)] = [], body: RequestBody = .none,
                 timeout: Duration? = nil, idleTimeout: Duration? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.idleTimeout = idleTimeout
    }
}

/// A request body: bytes in memory, or a file streamed from disk (image tars can be hundreds of MB).
package enum RequestBody: Sendable {
    case none
    case data(Data, contentType: String)
    case file(path: String, contentType: String)

    package var contentType: String? {
        switch self {
        case .none: return nil
        case .data(_, let type), .file(_, let type): return type
        }
    }
}

package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header names lowercased.
    package var headers: [String: String]
    package var body: Data

    package init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? { headers[name.lowercased()] }
}

