import Trajectories

/// `/`: every run with its counts, and resolved rate by run.
enum RunsPage {
    static func render(_ runs: [RunSummary], databasePath: String) -> String {
        var body = "<h1>Runs</h1><p class=\"muted\">Database: \(HTML.escape(databasePath))</p>"
        guard !runs.isEmpty else {
            body += "<p class=\"notice\" id=\"no-runs\">This database has no runs yet. <code>forager run</code> records them.</p>"
            return HTML.page(title: "Runs", body: body)
        }
        body += "<div class=\"charts\">"
        body += Charts.rates(id: "chart-resolved-by-run", title: "Resolved rate by run",
                             rows: runs.prefix(30).map { summary in
                                 let c = summary.counts
                                 return (summary.run.id, c.episodes > 0 ? Double(c.resolved) / Double(c.episodes) : nil,
                                         "\(c.resolved) of \(c.episodes) resolved")
                             })
        body += "</div>"
        body += "<h2>All runs</h2><table class=\"runs\" id=\"runs\"><thead><tr><th>Run</th><th>Status</th><th>Model</th>"
            + "<th>Backend</th><th>Created</th><th class=\"num\">Episodes</th><th class=\"num\">Resolved</th>"
            + "<th class=\"num\">Rate</th><th class=\"num\">Submitted</th><th class=\"num\">Errors</th>"
            + "<th class=\"num\">Unfinished</th><th class=\"num\">Turns</th><th class=\"num\">Tokens</th></tr></thead><tbody>"
        for summary in runs {
            let run = summary.run, c = summary.counts
            body += "<tr class=\"run-row\" data-run-id=\"\(HTML.escape(run.id))\">"
            body += "<td>" + HTML.link("/run", [("id", run.id)], text: run.id, cssClass: "run-link") + "</td>"
            body += "<td>\(HTML.escape(run.status.rawValue))</td>"
            body += "<td>\(HTML.escape(run.modelName))</td><td>\(HTML.escape(run.backendKind))</td>"
            body += "<td class=\"muted\">\(HTML.date(run.createdAt))</td>"
            body += "<td class=\"num\">\(HTML.link("/episodes", [("run", run.id)], text: String(c.episodes)))</td>"
            body += "<td class=\"num\">\(HTML.link("/episodes", [("run", run.id), ("outcome", "resolved")], text: String(c.resolved)))</td>"
            body += "<td class=\"num\">\(HTML.percent(c.resolved, of: c.episodes))</td>"
            body += "<td class=\"num\">\(c.submitted)</td><td class=\"num\">\(c.errors)</td><td class=\"num\">\(c.unfinished)</td>"
            body += "<td class=\"num\">\(HTML.number(summary.turns))</td>"
            body += "<td class=\"num\">\(HTML.number(summary.promptTokens + summary.completionTokens))</td></tr>"
        }
        body += "</tbody></table>"
        return HTML.page(title: "Runs", body: body)
    }
}
