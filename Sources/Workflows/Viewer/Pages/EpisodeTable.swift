import Trajectories

/// The episode rows shared by the episodes page and a run's page.
enum EpisodeTable {
    static func render(_ episodes: [EpisodeSummary], showRun: Bool) -> String {
        guard !episodes.isEmpty else {
            return "<p class=\"muted\" id=\"no-episodes\">No episodes match.</p>"
        }
        var html = "<table class=\"episodes\" id=\"episodes\"><thead><tr>"
        if showRun { html += "<th>Run</th><th>Model</th>" }
        html += "<th>Task</th><th class=\"num\">Sample</th><th>Outcome</th><th>Status</th><th>Source</th>"
            + "<th class=\"num\">Turns</th><th class=\"num\">Prompt tokens</th><th class=\"num\">Completion tokens</th>"
            + "<th>Patch</th><th>Started</th></tr></thead><tbody>"
        for episode in episodes {
            html += "<tr class=\"episode-row\" data-episode-id=\"\(HTML.escape(episode.id))\" "
                + "data-outcome=\"\(episode.outcome.rawValue)\">"
            if showRun {
                html += "<td>" + HTML.link("/run", [("id", episode.runID)], text: episode.runID) + "</td>"
                html += "<td>\(HTML.escape(episode.modelName))</td>"
            }
            html += "<td>" + HTML.link("/episode", [("id", episode.id)], text: episode.instanceID, cssClass: "episode-link") + "</td>"
            html += "<td class=\"num\">\(episode.sampleIndex)</td>"
            html += "<td>\(HTML.badge(episode.outcome.rawValue))</td>"
            html += "<td>\(HTML.escape(episode.status.rawValue))\(episode.attempt > 1 ? " <span class=\"muted\">(attempt \(episode.attempt))</span>" : "")</td>"
            html += "<td>\(HTML.escape(episode.source))</td>"
            html += "<td class=\"num\">\(episode.turns)</td>"
            html += "<td class=\"num\">\(HTML.number(episode.promptTokens))</td>"
            html += "<td class=\"num\">\(HTML.number(episode.completionTokens))</td>"
            html += "<td>\(episode.submitted ? "yes" : "<span class=\"muted\">no</span>")</td>"
            html += "<td class=\"muted\">\(HTML.date(episode.startedAt))</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
