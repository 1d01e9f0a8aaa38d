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

    public func isReached(in text: String) -> Bool { end(in: text) != nil }
}
