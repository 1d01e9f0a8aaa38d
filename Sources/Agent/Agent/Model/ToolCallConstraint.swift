import Inference

/// `--constrain-tools`: after the thinking part, only text that parses as exactly one of CWM's
/// tool calls — optional leading whitespace, `<tool: NAME>` with a known NAME, a newline, a body
/// that is not blank and holds no tool tag, `\n</tool>` — and then the end of the turn.
///
/// Before the thinking end marker (think mode) the text is free; after it, a second marker is not
/// allowed, as CWM's think split wants exactly one.
public struct ToolCallConstraint: TokenConstraint {
    public let toolNames: [String]
    public let thinkingEnd: String?
    private let headers: [[UInt8]]
    private let marker: [UInt8]?

    static let openTag = Array("<tool:".utf8)
    static let closeTag = Array("</tool>".utf8)
    static let terminator = Array("\n</tool>".utf8)

    public init(toolNames: [String], thinkingEnd: String?) {
        self.toolNames = toolNames
        self.thinkingEnd = thinkingEnd
        headers = toolNames.map { Array("<tool: \($0)>\n".utf8) }
        marker = thinkingEnd.map { Array($0.utf8) }
    }

    public func verdict(_ text: [UInt8]) -> ConstraintVerdict {
        var answer = text[...]
        if let marker {
            guard let end = Self.find(marker, in: answer) else { return .viable }
            answer = answer[(end + marker.count)...]
            if Self.find(marker, in: answer) != nil { return .invalid }
        }
        while let first = answer.first, first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D { answer = answer.dropFirst() }
        guard let header = headers.first(where: { answer.starts(with: $0) }) else {
            return headers.contains { $0.starts(with: answer) } ? .viable : .invalid
        }
        let body = answer.dropFirst(header.count)
        guard let close = Self.find(Self.terminator, in: body) else {
            return Self.holdsTag(body) ? .invalid : .viable
        }
        let inner = body[body.startIndex..<close]
        guard close + Self.terminator.count == body.endIndex else { return .invalid }
        if Self.holdsTag(inner) || inner.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { return .invalid }
        return .complete
    }

    /// Inside a call's body that is not blank: `\n</tool>`, or the rest of it when the body ends
    /// with its beginning. Elsewhere (no header yet, or nothing written in the body) there is no
    /// closing that would not put words in the model's mouth.
    public func closing(_ text: [UInt8]) -> [UInt8]? {
        var answer = text[...]
        if let marker {
            guard let end = Self.find(marker, in: answer) else { return nil }
            answer = answer[(end + marker.count)...]
        }
        while let first = answer.first, first == 0x20 || first == 0x0A || first == 0x09 || first == 0x0D { answer = answer.dropFirst() }
        guard let header = headers.first(where: { answer.starts(with: $0) }) else { return nil }
        let body = answer.dropFirst(header.count)
        guard !body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) else { return nil }
        let t = Self.terminator
        let started = (1..<t.count).reversed().first { k in body.count > k && body.suffix(k).elementsEqual(t[0..<k]) } ?? 0
        let close = Array(t[started...])
        return verdict(text + close) == .complete ? close : nil
    }

    private static func holdsTag(_ s: ArraySlice<UInt8>) -> Bool {
        find(openTag, in: s) != nil || find(closeTag, in: s) != nil
    }

    /// The index of the first occurrence of `needle` in `hay`.
    static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        var i = hay.startIndex
        let last = hay.endIndex - needle.count
        while i <= last {
            if hay[i] == needle[0] && hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
