import Foundation

/// CWM's four frame kinds (prompting guide, "Trace Prediction").
public enum TraceEvent: String, Codable, Sendable, CaseIterable {
    case call, line, `return`, exception
}

/// One local of a frame: its name and its rendering, or `".."` when unchanged since the previous
/// frame of the same call.
public struct TraceLocal: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
    public static let unchanged = ".."
}

/// One step of an execution trace, as Forager's tracer writes it.
public struct TraceFrame: Sendable, Equatable, Codable {
    public var event: TraceEvent
    /// The file of the line (relative to the repository root, or the program's name).
    public var file: String
    public var line: Int
    /// The source line, without its line break.
    public var source: String
    /// Nested call depth below the trace's entry (0: the entry itself).
    public var depth: Int
    /// Which call of the trace the frame belongs to (0: the entry).
    public var call: Int
    /// call and line frames: every local in the frame's order.
    public var locals: [TraceLocal]?
    /// return frames: the returned value; exception frames: the exception.
    public var value: String?

    public init(event: TraceEvent, file: String, line: Int, source: String, depth: Int, call: Int,
                locals: [TraceLocal]? = nil, value: String? = nil) {
        self.event = event
        self.file = file
        self.line = line
        self.source = source
        self.depth = depth
        self.call = call
        self.locals = locals
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case event, file, line, source, depth, call, locals, value }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        event = try c.decode(TraceEvent.self, forKey: .event)
        file = try c.decode(String.self, forKey: .file)
        line = try c.decode(Int.self, forKey: .line)
        source = try c.decode(String.self, forKey: .source)
        depth = try c.decode(Int.self, forKey: .depth)
        call = try c.decode(Int.self, forKey: .call)
        // Locals are [name, value] pairs so their order survives JSON decoding.
        locals = try c.decodeIfPresent([[String]].self, forKey: .locals).map { pairs in
            try pairs.map { pair in
                guard pair.count == 2 else {
                    throw DecodingError.dataCorruptedError(forKey: .locals, in: c, debugDescription: "a local is not a [name, value] pair")
                }
                return TraceLocal(name: pair[0], value: pair[1])
            }
        }
        value = try c.decodeIfPresent(String.self, forKey: .value)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event, forKey: .event)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
        try c.encode(source, forKey: .source)
        try c.encode(depth, forKey: .depth)
        try c.encode(call, forKey: .call)
        try c.encodeIfPresent(locals?.map { [$0.name, $0.value] }, forKey: .locals)
        try c.encodeIfPresent(value, forKey: .value)
    }
}

/// Full local states behind the `".."` diffs.
public enum TraceStates {
    /// For each frame, every local with its value (`".."` resolved against the previous frame of
    /// the same call); nil for return and exception frames, which carry no locals. A `".."` with
    /// nothing before it in its call stays `".."`.
    public static func resolve(_ frames: [TraceFrame]) -> [[TraceLocal]?] {
        var last: [Int: [String: String]] = [:]
        return frames.map { frame in
            guard let locals = frame.locals else { return nil }
            let previous = last[frame.call] ?? [:]
            let resolved = locals.map { local in
                local.value == TraceLocal.unchanged
                    ? TraceLocal(name: local.name, value: previous[local.name] ?? TraceLocal.unchanged) : local
            }
            last[frame.call] = Dictionary(resolved.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
            return resolved
        }
    }

    /// Names whose value differs from the previous frame of the same call (all names of a call's
    /// first frame).
    public static func changed(_ frame: TraceFrame) -> Set<String> {
        Set((frame.locals ?? []).filter { $0.value != TraceLocal.unchanged }.map(\.name))
    }
}
