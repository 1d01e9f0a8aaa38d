import Trajectories

/// `/episodes`: episodes across runs, filtered by run, outcome, task, model and source (a GET
/// form, so every filtered view has its own address).
enum EpisodesPage {
    static func render(_ episodes: [EpisodeSummary], query: EpisodeQuery, runs: [RunSummary],
                       facets: EpisodeFacets) -> String {
        var body = "<h1>Episodes</h1>"
        body += "<form class=\"filters\" id=\"filters\" method=\"get\" action=\"/episodes\">"
        body += select("run", label: "Run", options: runs.map { ($0.run.id, $0.run.id) }, selected: query.runID)
        body += select("outcome", label: "Outcome", options: EpisodeOutcomeKind.allCases.map { ($0.rawValue, $0.rawValue) },
                       selected: query.outcome?.rawValue)
        body += "<label>Task<input type=\"text\" name=\"task\" placeholder=\"instance id contains…\" "
            + "value=\"\(HTML.escape(query.instance ?? ""))\"></label>"
        body += select("model", label: "Model", options: facets.models.map { ($0, $0) }, selected: query.model)
        body += select("source", label: "Source", options: facets.sources.map { ($0, $0) }, selected: query.source)
        body += "<button type=\"submit\">Filter</button> <a href=\"/episodes\">Clear</a></form>"
        let shown = episodes.count == query.limit ? "first \(episodes.count)" : "\(episodes.count)"
        body += "<p class=\"muted\" id=\"episode-count\">\(shown) episode\(episodes.count == 1 ? "" : "s")"
        if let description = describe(query) { body += " · \(HTML.escape(description))" }
        body += " · " + HTML.link("/api/episodes", pairs(query), text: "JSON") + "</p>"
        body += EpisodeTable.render(episodes, showRun: true)
        return HTML.page(title: "Episodes", body: body)
    }

    /// The query's filters as URL parameters (for links to the same view).
    static func pairs(_ query: EpisodeQuery) -> [(String, String?)] {
        [("run", query.runID), ("outcome", query.outcome?.rawValue), ("status", query.status?.rawValue),
         ("task", query.instance), ("model", query.model), ("source", query.source)]
    }

    private static func describe(_ query: EpisodeQuery) -> String? {
        let parts = pairs(query).compactMap { name, value in value.map { "\(name) = \($0)" } }
        return parts.isEmpty ? nil : "filtered by " + parts.joined(separator: ", ")
    }

    private static func select(_ name: String, label: String, options: [(value: String, text: String)],
                               selected: String?) -> String {
        var html = "<label>\(HTML.escape(label))<select name=\"\(name)\"><option value=\"\">any</option>"
        var seen = false
        for option in options {
            let isSelected = option.value == selected
            seen = seen || isSelected
            html += "<option value=\"\(HTML.escape(option.value))\"\(isSelected ? " selected" : "")>\(HTML.escape(option.text))</option>"
        }
        if let selected, !seen {
            html += "<option value=\"\(HTML.escape(selected))\" selected>\(HTML.escape(selected))</option>"
        }
        return html + "</select></label>"
    }
}
