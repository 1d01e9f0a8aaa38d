import Trajectories

/// What a request can get wrong, or what the server cannot do; each names the input at fault.
public enum ViewerError: Error, Sendable, CustomStringConvertible {
    case badParameter(name: String, value: String, expected: String)
    case missingParameter(name: String, page: String)
    case store(TrajectoryError)
    case traceNotFound(String)
    /// The address could not be bound.
    case listen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case let .badParameter(name, value, expected):
            return "query parameter \(name)=\(value) is not valid; expected \(expected)"
        case let .missingParameter(name, page):
            return "\(page) needs the query parameter \(name)"
        case let .store(error):
            return error.description
        case let .traceNotFound(id):
            return "no trace '\(id)' in this database (see /traces)"
        case let .listen(host, port, reason):
            return "cannot listen on \(host):\(port): \(reason)"
        }
    }

    /// The HTTP status a request that failed this way gets.
    var httpStatus: Int {
        switch self {
        case .badParameter, .missingParameter: return 400
        case .store(.runNotFound), .store(.episodeNotFound), .traceNotFound: return 404
        case .store, .listen: return 500
        }
    }
}
