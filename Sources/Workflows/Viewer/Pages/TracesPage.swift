import Trajectories

/// `/traces`: the stored execution traces, by batch, each linking to its step-by-step page.
enum TracesPage {
    static func render(_ traces: [TraceSummary], batch: String?) -> String {
        var body = "<h1>Traces</h1>"
        if let batch {
            body += "<p class=\"muted\">Batch \(HTML.escape(batch)) · \(HTML.link("/traces", [], text: "all batches"))</p>"
        }
        guard !traces.isEmpty else {
            body += "<p class=\"notice\" id=\"no-traces\">No traces\(batch == nil ? "" : " in this batch"). "
                + "<code>forager trace</code> records them.</p>"
            return HTML.page(title: "Traces", body: body)
        }
        let batches = Dictionary(grouping: traces, by: \.batch)
        body += "<p>\(traces.count) traces in \(batches.count) batch\(batches.count == 1 ? "" : "es"): "
            + batches.keys.sorted().map { HTML.link("/traces", [("batch", $0)], text: "\($0) (\(batches[$0]?.count ?? 0))") }
                .joined(separator: " · ") + "</p>"
        body += "<table class=\"traces\" id=\"traces\"><thead><tr><th>Trace</th><th>Kind</th><th>Entry</th><th>Test or input</th>"
            + "<th>Task</th><th class=\"num\">Frames</th><th class=\"num\">Seconds</th><th>Cut</th></tr></thead><tbody>"
        for t in traces {
            body += "<tr class=\"trace-row\" data-trace-id=\"\(HTML.escape(t.id))\">"
            body += "<td>" + HTML.link("/trace", [("id", t.id)], text: t.id, cssClass: "trace-link") + "</td>"
            body += "<td>\(HTML.escape(t.kind.rawValue))</td>"
            body += "<td><code>\(HTML.escape(t.file)) · \(HTML.escape(t.function))</code>\(t.repo.map { " <span class=\"muted\">\(HTML.escape($0))</span>" } ?? "")</td>"
            body += "<td class=\"muted\">\(HTML.escape(t.test ?? "-"))</td>"
            body += "<td>\(t.taskID.map { HTML.escape($0) + " (" + HTML.escape(t.variant ?? "-") + ")" } ?? "-")</td>"
            body += "<td class=\"num\">\(HTML.number(t.events))</td><td class=\"num\">\(HTML.seconds(t.seconds))</td>"
            body += "<td>\(t.cut.map { "<span class=\"bad\">\(HTML.escape($0))</span>" } ?? "")</td></tr>"
        }
        body += "</tbody></table>"
        return HTML.page(title: "Traces", body: body)
    }
}
