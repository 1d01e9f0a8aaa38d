import Foundation
import Trajectories

/// What a model wrote for the next frame, read as CWM's neural debugger reads it
/// (`demos/cwmdbg.py`, spec §3.7): an event token first (or `<|end_of_text|>`: execution left the
/// entry), then for call and line frames the locals as JSON up to `<|action_sep|>` and the source
/// line; for return and exception frames `<|action_sep|>`, the source line, `<|arg_sep|>` and the
/// value as a JSON string (kept raw when it does not parse).
public enum PredictedFrame: Sendable, Equatable {
    case frame(event: TraceEvent, locals: [TraceLocal]?, source: String, value: String?)
    /// `<|end_of_text|>` in place of a frame.
    case end
    /// Text that is not a frame (no event token first, or locals that are not a JSON object of strings).
    case malformed(String)

    public static func parse(_ text: String) -> PredictedFrame {
        if text.hasPrefix(CWMTraceText.endOfText) { return .end }
        guard let event = TraceEvent.allCases.first(where: { text.hasPrefix(CWMTraceText.eventToken($0)) }) else {
            return .malformed("no event token first")
        }
        var rest = Substring(text.dropFirst(CWMTraceText.eventToken(event).count))
        if let end = rest.range(of: CWMTraceText.endOfText) { rest = rest[..<end.lowerBound] }
        guard let action = rest.range(of: CWMTraceText.actionSeparator) else { return .malformed("no \(CWMTraceText.actionSeparator)") }
        let head = rest[..<action.lowerBound]
        let tail = rest[action.upperBound...]
        switch event {
        case .call, .line:
            guard let locals = parseLocals(String(head)) else { return .malformed("the locals are not a JSON object of strings") }
            return .frame(event: event, locals: locals, source: String(tail), value: nil)
        case .return, .exception:
            guard head.isEmpty else { return .malformed("text before \(CWMTraceText.actionSeparator) of a \(event.rawValue) frame") }
            guard let arg = tail.range(of: CWMTraceText.argumentSeparator) else { return .malformed("no \(CWMTraceText.argumentSeparator)") }
            let raw = String(tail[arg.upperBound...])
            return .frame(event: event, locals: nil, source: String(tail[..<arg.lowerBound]), value: PythonJSON.parseString(raw) ?? raw)
        }
    }

    /// A JSON object whose values are strings, in the text's order; nil when it is not one.
    static func parseLocals(_ text: String) -> [TraceLocal]? {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        var values: [String: String] = [:]
        for (name, value) in object {
            guard let string = value as? String else { return nil }
            values[name] = string
        }
        // JSONSerialization loses the order; the names' first places in the text give it back.
        let ordered = values.keys.sorted { a, b in
            (text.range(of: PythonJSON.string(a) + ":")?.lowerBound ?? text.endIndex)
                < (text.range(of: PythonJSON.string(b) + ":")?.lowerBound ?? text.endIndex)
        }
        return ordered.map { TraceLocal(name: $0, value: values[$0] ?? "") }
    }
}

/// How one prediction compares with the true next frame.
public struct FrameScore: Sendable, Equatable, Codable {
    /// The event kind (or the end) is right.
    public var event: Bool
    /// The next line is right: same event kind and the same source line (surrounding white space
    /// ignored); for the end of the trace, predicting the end.
    public var line: Bool
    /// call and line frames: the locals as written (`".."` diffs included) equal, as a set of names
    /// and values; nil for other frames.
    public var locals: Bool?
    /// return and exception frames: the value equals; nil for other frames.
    public var value: Bool?
    /// The whole frame is right (line, and locals or value).
    public var frame: Bool
    /// The prediction parsed as a frame (or the end).
    public var wellFormed: Bool

    public init(predicted: PredictedFrame, truth: TraceFrame?) {
        func same(_ a: String, _ b: String) -> Bool {
            a.trimmingCharacters(in: .whitespaces) == b.trimmingCharacters(in: .whitespaces)
        }
        switch (predicted, truth) {
        case (.end, nil):
            self.init(event: true, line: true, locals: nil, value: nil, frame: true, wellFormed: true)
        case (.end, let truth?):
            self.init(event: false, line: false, locals: truth.locals == nil ? nil : false,
                      value: truth.locals == nil ? false : nil, frame: false, wellFormed: true)
        case (.malformed, let truth):
            self.init(event: false, line: false, locals: truth.map { $0.locals == nil ? nil : false } ?? nil,
                      value: truth.map { $0.locals == nil ? false : nil } ?? nil, frame: false, wellFormed: false)
        case (.frame, nil):
            self.init(event: false, line: false, locals: nil, value: nil, frame: false, wellFormed: true)
        case (.frame(let event, let locals, let source, let value), let truth?):
            let eventOK = event == truth.event
            let lineOK = eventOK && same(source, truth.source)
            var localsOK: Bool?
            var valueOK: Bool?
            if let want = truth.locals {
                localsOK = Set(want) == Set(locals ?? []) && want.count == (locals ?? []).count
            } else {
                valueOK = eventOK && value == truth.value
            }
            self.init(event: eventOK, line: lineOK, locals: localsOK, value: valueOK,
                      frame: lineOK && (localsOK ?? true) && (valueOK ?? true), wellFormed: true)
        }
    }

    init(event: Bool, line: Bool, locals: Bool?, value: Bool?, frame: Bool, wellFormed: Bool) {
        self.event = event
        self.line = line
        self.locals = locals
        self.value = value
        self.frame = frame
        self.wellFormed = wellFormed
    }

    enum CodingKeys: String, CodingKey {
        case event, line, locals, value, frame
        case wellFormed = "well_formed"
    }
}
