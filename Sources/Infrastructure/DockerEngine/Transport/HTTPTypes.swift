import Foundation

/// Percent-encoding for query values, stricter than URLComponents (which leaves `+`, `&`-safe chars).
enum Query {
    static func encode(_ items: [(String, String?)]) -> String {
        let pairs = items.compactMap { key, value -> String? in
            guard let value else { return nil }
            return "\(escape(key))=\(escape(value))"
        }
        return pairs.isEmpty ? "" : "?" + pairs.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// Docker's `filters` parameter: a JSON map from filter name to a list of values.
    static func filters(_ filters: [String: [String]]) -> String? {
        guard !filters.isEmpty,
              let data = try? JSONSerialization.data(withJSONObject: filters, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
