import Foundation
import Trajectories

/// `/run?id=…`: one run's facts, its charts (outcomes, turns and tokens per episode) and episodes.
enum RunPage {
    static func render(_ summary: RunSummary, episodes: [EpisodeSummary]) -> String {
        let run = summary.run, c = summary.counts
        var body = "<h1>Run \(HTML.escape(run.id))</h1><dl class=\"facts\">"
        let facts: [(String, String)] = [
            ("Status", HTML.escape(run.status.rawValue)),
            ("Model", HTML.escape(run.modelName)),
            ("Backend", HTML.escape(run.backendKind)),
            ("Tasks file", HTML.escape(run.tasksFile ?? "–")),
            ("Created", HTML.date(run.createdAt)),
            ("Finished", HTML.date(run.finishedAt)),
            ("Forager", HTML.escape(run.foragerVersion)),
            ("Episodes", "\(c.episodes) (\(c.finished) finished, \(c.errors) errors, \(c.unfinished) unfinished)"),
            ("Resolved", "<span id=\"resolved-rate\">\(c.resolved) of \(c.episodes) · \(HTML.percent(c.resolved, of: c.episodes))</span>"),
            ("Submitted", "\(c.submitted)"),
            ("Tokens", "\(HTML.number(summary.promptTokens)) prompt, \(HTML.number(summary.completionTokens)) completion"),
        ]
        for (name, value) in facts { body += "<dt>\(name)</dt><dd>\(value)</dd>" }
        body += "</dl>"
        body += "<details><summary>Configuration</summary>\(PatchRendering.block(prettyJSON(run.configJSON), cssClass: "config"))</details>"
        body += "<h2>Charts</h2><div class=\"charts\">" + outcomeChart(episodes) + "</div><div class=\"charts\">"
        let legend = EpisodeOutcomeKind.allCases.filter { r in episodes.contains { $0.outcome == r } }
            .map { ($0.rawValue, Charts.outcomeColors[$0.rawValue] ?? "#8c959f") }
        body += Charts.columns(
            id: "chart-turns", title: "Turns per episode",
            bars: episodes.map { e in
                Charts.Bar(label: label(e), segments: [
                    .init(value: Double(e.turns), color: Charts.outcomeColors[e.outcome.rawValue] ?? "#8c959f", name: "turns"),
                ])
            }, unit: "turns", legend: legend)
        body += Charts.columns(
            id: "chart-tokens", title: "Tokens per episode",
            bars: episodes.map { e in
                Charts.Bar(label: label(e), segments: [
                    .init(value: Double(e.promptTokens), color: "#9ec5f0", name: "prompt"),
                    .init(value: Double(e.completionTokens), color: "#0b63c5", name: "completion"),
                ])
            }, unit: "tokens", legend: [("prompt", "#9ec5f0"), ("completion", "#0b63c5")])
        body += "</div>"
        body += "<h2>Episodes</h2><p>" + HTML.link("/episodes", [("run", run.id)], text: "Filter these episodes") + "</p>"
        body += EpisodeTable.render(episodes, showRun: false)
        return HTML.page(title: "Run \(run.id)", body: body)
    }

    /// One stacked bar: how many episodes ended each way, as a share of the run.
    private static func outcomeChart(_ episodes: [EpisodeSummary]) -> String {
        let counts = EpisodeOutcomeKind.allCases.map { r in (r, episodes.filter { $0.outcome == r }.count) }
        let total = max(episodes.count, 1)
        var svg = "<svg class=\"chart\" id=\"chart-outcomes\" data-chart=\"chart-outcomes\" role=\"img\" aria-label=\"Outcomes\" "
            + "width=\"580\" height=\"62\" viewBox=\"0 0 580 62\">"
        var x = 0.0
        for (result, count) in counts where count > 0 {
            let w = 576.0 * Double(count) / Double(total)
            svg += "<g class=\"bar\"><title>\(result.rawValue): \(count)</title><rect x=\"\(String(format: "%.1f", x))\" y=\"4\" "
                + "width=\"\(String(format: "%.1f", w))\" height=\"24\" fill=\"\(Charts.outcomeColors[result.rawValue] ?? "#8c959f")\"></rect></g>"
            x += w
        }
        var legendX = 0.0
        for (result, count) in counts {
            svg += "<rect x=\"\(String(format: "%.1f", legendX))\" y=\"44\" width=\"10\" height=\"10\" fill=\"\(Charts.outcomeColors[result.rawValue] ?? "#8c959f")\"></rect>"
            svg += "<text x=\"\(String(format: "%.1f", legendX + 14))\" y=\"53\">\(result.rawValue) \(count)</text>"
            legendX += 112
        }
        return "<figure class=\"chart-box\"><h3>Outcomes (\(episodes.count) episodes, resolved \(HTML.percent(counts[0].1, of: episodes.count)))</h3>\(svg)</svg></figure>"
    }

    private static func label(_ episode: EpisodeSummary) -> String {
        episode.sampleIndex == 0 ? episode.instanceID : "\(episode.instanceID)#\(episode.sampleIndex)"
    }

    static func prettyJSON(_ text: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
        else { return text }
        return String(decoding: data, as: UTF8.self)
    }
}
