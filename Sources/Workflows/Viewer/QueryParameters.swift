import Foundation
import Trajectories

/// A request's query string as name → value (the last one wins), `+` read as a space and
/// percent-escapes decoded, as a browser's GET form sends them.
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name] = value
        }
    }

    /// The value of `name`, nil when absent or empty (an unset form field).
    subscript(name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The episode filters of `/episodes` and `/api/episodes`; a bad value is a `ViewerError`.
    func episodeQuery() throws(ViewerError) -> EpisodeQuery {
        var query = EpisodeQuery(runID: self["run"], instance: self["task"], model: self["model"], source: self["source"])
        if let outcome = self["outcome"] {
            guard let value = EpisodeOutcomeKind(rawValue: outcome) else {
                throw .badParameter(name: "outcome", value: outcome,
                                    expected: EpisodeOutcomeKind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            query.outcome = value
        }
        if let status = self["status"] {
            guard let value = EpisodeStatus(rawValue: status) else {
                throw .badParameter(name: "status", value: status,
                                    expected: EpisodeStatus.allCases.map(\.rawValue).joined(separator: ", "))
            }
            query.status = value
        }
        if let limit = self["limit"] {
            guard let value = Int(limit), (1...10_000).contains(value) else {
                throw .badParameter(name: "limit", value: limit, expected: "a number from 1 to 10000")
            }
            query.limit = value
        }
        if let offset = self["offset"] {
            guard let value = Int(offset), value >= 0 else {
                throw .badParameter(name: "offset", value: offset, expected: "a number 0 or more")
            }
            query.offset = value
        }
        return query
    }
}
