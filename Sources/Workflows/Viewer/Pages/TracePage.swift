import Trajectories

/// `/trace?id=…&step=N`: one frame of a trace at a time, as a debugger shows it: the entry's
/// source with the frame's line highlighted, the frame's locals (`".."` resolved through the
/// earlier frames of its call, changed ones marked) or its returned value / exception, links to
/// the previous and next frames, and every frame listed below.
enum TracePage {
    static func render(_ t: TraceRecord, step requested: Int?) -> String {
        let count = t.frames.count
        let step = min(max(1, requested ?? 1), max(1, count))
        var body = "<h1>Trace <code>\(HTML.escape(t.id))</code></h1>"
        body += "<p class=\"muted\">\(HTML.escape(t.kind.rawValue))"
            + (t.repo.map { " · " + HTML.escape($0) } ?? "") + (t.commit.map { " @ " + HTML.escape(String($0.prefix(12))) } ?? "")
            + " · entry <code>\(HTML.escape(t.file)):\(t.line) \(HTML.escape(t.function))</code>"
            + (t.test.map { " · test " + HTML.escape($0) } ?? "")
            + (t.taskID.map { " · task " + HTML.escape($0) + " (" + HTML.escape(t.variant ?? "-") + ")" } ?? "")
            + " · " + HTML.link("/traces", [("batch", t.batch)], text: "batch " + t.batch) + "</p>"
        body += "<p id=\"trace-status\">\(count) frames"
            + (t.cut.map { " · <span class=\"bad\">cut: \(HTML.escape($0))</span>" } ?? " · complete") + "</p>"
        guard count > 0 else {
            return HTML.page(title: "Trace \(t.id)", body: body + "<p class=\"notice\">This trace has no frames.</p>")
        }
        let frame = t.frames[step - 1]
        let states = TraceStates.resolve(t.frames)
        body += "<nav class=\"steps\" id=\"step-nav\">"
            + (step > 1 ? HTML.link("/trace", [("id", t.id), ("step", String(step - 1))], text: "← previous", cssClass: "prev") : "<span class=\"muted\">← previous</span>")
            + " <strong id=\"step\">frame \(step) of \(count)</strong> "
            + (step < count ? HTML.link("/trace", [("id", t.id), ("step", String(step + 1))], text: "next →", cssClass: "next") : "<span class=\"muted\">next →</span>")
            + "</nav>"
        body += "<h2 id=\"frame-kind\">\(HTML.escape(frame.event.rawValue)) <span class=\"muted\">\(HTML.escape(frame.file)):\(frame.line) · depth \(frame.depth) · call \(frame.call)</span></h2>"
        body += sourceBlock(t, frame: frame)
        if let value = frame.value {
            body += "<p id=\"frame-value\">\(frame.event == .exception ? "<span class=\"bad\">raised</span>" : "<span class=\"good\">returned</span>") <code>\(HTML.escape(value))</code></p>"
        }
        if let resolved = states[step - 1], !resolved.isEmpty {
            let changed = TraceStates.changed(frame)
            body += "<table class=\"locals\" id=\"locals\"><thead><tr><th></th><th>Local</th><th>Value</th></tr></thead><tbody>"
            for local in resolved {
                let isChanged = changed.contains(local.name)
                body += "<tr class=\"\(isChanged ? "changed" : "same")\"><td>\(isChanged ? "*" : "")</td><td><code>\(HTML.escape(local.name))</code></td>"
                    + "<td><code>\(HTML.escape(local.value))</code></td></tr>"
            }
            body += "</tbody></table><p class=\"muted\">* changed since the previous frame of this call</p>"
        }
        body += "<h2>All frames</h2><ol class=\"frames\" id=\"frames\">"
        for (i, f) in t.frames.enumerated() {
            let text = "\(f.event.rawValue) \(f.file):\(f.line)  " + String(repeating: "  ", count: f.depth) + f.source.trimmingCharacters(in: .whitespaces)
            body += "<li\(i + 1 == step ? " class=\"current\"" : "")>" + HTML.link("/trace", [("id", t.id), ("step", String(i + 1))], text: text) + "</li>"
        }
        body += "</ol>"
        return HTML.page(title: "Trace \(t.id)", body: body)
    }

    /// The entry's source around the frame's line (the frame's own line when it is in another file).
    private static func sourceBlock(_ t: TraceRecord, frame: TraceFrame) -> String {
        let lines = t.context.components(separatedBy: "\n")
        guard frame.file == t.file, frame.line >= 1, frame.line <= lines.count else {
            return "<pre class=\"source\" id=\"source\"><mark class=\"current-line\">\(HTML.escape(frame.source))</mark></pre>"
        }
        let from = max(1, frame.line - 8), to = min(lines.count, frame.line + 8)
        var out = "<pre class=\"source\" id=\"source\">"
        for n in from...to {
            let text = String(format: "%5d  ", n) + lines[n - 1]
            out += n == frame.line ? "<mark class=\"current-line\">\(HTML.escape(text))</mark>" : HTML.escape(text) + "\n"
        }
        return out + "</pre>"
    }
}
