import Foundation

/// Where a generated text ends although no stop token came: right after the first `marker` that
/// follows the first `after` (anywhere when `after` is nil). An agent's turn that ends with its
/// tool call is `TextEnd(marker: "</tool>", after: "</think>")` in think mode: a `</tool>` inside
/// the thinking does not end it.
public struct TextEnd: Sendable, Hashable {
    public var marker: String
    public var after: String?

    public init(marker: String, after: String? = nil) {
        self.marker = marker
        self.after = after
    }

    /// The index right after the marker that ends `text`, nil when the text does not end yet.
    public func end(in text: String) -> String.Index? {
        guard !marker.isEmpty else { return nil }
        var searchFrom = text.startIndex
        if let after, !after.isEmpty {
            guard let opened = text.range(of: after) else { return nil }
            searchFrom = opened.upperBound
        }
        return text.range(of: marker, range: searchFrom..<text.endIndex)?.upperBound
    }

    /// A search over a text that only grows, as generation writes it: each call looks only at
    /// what the newest characters can complete, so a long turn is not searched again per token.
    public struct Search: Sendable {
        public let end: TextEnd
        /// UTF-8 offset right after the first `after` once it has come (0 without one).
        private var opened: Int?

        public init(_ end: TextEnd) {
            self.end = end
            opened = (end.after ?? "").isEmpty ? 0 : nil
        }

        /// Whether `text`, of which the last `fresh` characters are new since the last call,
        /// now holds the marker that ends it (the same answer as `end.end(in: text) != nil`).
        public mutating func isReached(in text: String, fresh: Int) -> Bool {
            guard !end.marker.isEmpty else { return false }
            if opened == nil, let after = end.after,
               let r = text.range(of: after, range: text.tail(fresh + after.count)..<text.endIndex) {
                opened = text.utf8.distance(from: text.startIndex, to: r.upperBound)
            }
            guard let opened else { return false }
            let from = max(text.utf8.index(text.startIndex, offsetBy: opened), text.tail(fresh + end.marker.count))
            return text.range(of: end.marker, range: from..<text.endIndex) != nil
        }
    }
}

extension String {
    /// Where the last `characters` characters begin (the start when the text is shorter): the
    /// part of a growing text in which a string of up to `characters` that the newest text
    /// completes can lie.
    func tail(_ characters: Int) -> String.Index {
        index(endIndex, offsetBy: -characters, limitedBy: startIndex) ?? startIndex
    }
}
