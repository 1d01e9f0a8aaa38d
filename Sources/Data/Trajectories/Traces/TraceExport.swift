import Foundation

/// The JSON shapes of `forager export --format cwm-trace` and `--format trace-json`.
public enum TraceExport {
    static func header(_ t: TraceRecord) -> [(String, OrderedJSON)] {
        [("id", .string(t.id)), ("batch", .string(t.batch)), ("kind", .string(t.kind.rawValue)), ("repo", .optional(t.repo)),
         ("commit", .optional(t.commit)), ("task_id", .optional(t.taskID)), ("variant", .optional(t.variant)),
         ("test", .optional(t.test)), ("file", .string(t.file)), ("function", .string(t.function)), ("line", .int(t.line)),
         ("code_line", t.codeLine.map(OrderedJSON.int) ?? .null), ("entry_call", t.entryCall.map(OrderedJSON.int) ?? .null)]
    }

    /// `{id, …, text}`: `text` is the token text as CWM's prompting guide lays it out.
    public static func cwmLine(_ t: TraceRecord) -> OrderedJSON {
        .object(header(t) + [("text", .string(CWMTraceText.document(context: t.context, frames: t.frames, complete: t.isComplete)))])
    }

    /// The trace with its context and frames (locals as an object in the frame's order).
    public static func json(_ t: TraceRecord) -> OrderedJSON {
        let frames: [OrderedJSON] = t.frames.map { f in
            var pairs: [(String, OrderedJSON)] = [("event", .string(f.event.rawValue)), ("file", .string(f.file)), ("line", .int(f.line)),
                                                  ("source", .string(f.source)), ("depth", .int(f.depth)), ("call", .int(f.call))]
            if let locals = f.locals { pairs.append(("locals", .object(locals.map { ($0.name, .string($0.value)) }))) }
            if let value = f.value { pairs.append(("value", .string(value))) }
            return .object(pairs)
        }
        return .object(header(t) + [("context", .string(t.context)), ("cut", .optional(t.cut)), ("seconds", .double(t.seconds)),
                                    ("untraced_seconds", .optional(t.untracedSeconds)), ("frames", .array(frames))])
    }
}
