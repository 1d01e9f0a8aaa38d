import Foundation
import Trajectories

/// The newest replay of the episode's shown attempt, and its verdict on each step.
struct ReplayMarks: Sendable {
    var replay: Replay
    var byStep: [Int: ReplayStep]
}

/// `/episode?id=…`: one episode step by step, the patches highlighted, replay mismatches marked.
enum EpisodePage {
    static func render(_ detail: EpisodeWithSteps, run: Run?, replay: ReplayMarks?) -> String {
        let episode = detail.episode
        let result = EpisodeOutcomeKind(status: episode.status, passed: episode.passed)
        var body = "<h1>\(HTML.escape(episode.instanceID)) <span class=\"muted\">#\(episode.sampleIndex)</span> \(HTML.badge(result.rawValue))</h1>"
        body += "<dl class=\"facts\">"
        let turns = detail.steps.count
        let facts: [(String, String)] = [
            ("Episode", HTML.escape(episode.id)),
            ("Run", HTML.link("/run", [("id", episode.runID)], text: episode.runID)),
            ("Model", HTML.escape(run?.modelName ?? "–")),
            ("Status", HTML.escape(episode.status.rawValue) + (episode.attempt > 1 ? " (attempt \(episode.attempt))" : "")),
            ("Ended because", HTML.escape(episode.terminalMessage.flatMap { $0.isEmpty ? nil : $0 } ?? "–")),
            ("Graded", episode.passed.map { $0 ? "passed" : "failed" } ?? "not graded"),
            ("Source", HTML.escape(episode.source)),
            ("Turns", "\(turns)"),
            ("Tokens", "\(HTML.number(episode.promptTokens)) prompt, \(HTML.number(episode.completionTokens)) completion"),
            ("Started", HTML.date(episode.startedAt)),
            ("Ended", HTML.date(episode.endedAt)),
            ("Evaluation", HTML.seconds(episode.evalDuration)),
        ]
        for (name, value) in facts { body += "<dt>\(name)</dt><dd>\(value)</dd>" }
        body += "</dl>"
        body += replaySummary(replay)
        if let system = episode.systemPrompt {
            body += "<details><summary>System prompt</summary>\(PatchRendering.block(system, cssClass: "prompt"))</details>"
        }
        if let user = episode.userPrompt {
            body += "<details><summary>Task prompt</summary>\(PatchRendering.block(user, cssClass: "prompt"))</details>"
        }
        body += "<h2>Steps</h2>"
        body += overview(detail.steps, marks: replay)
        if detail.steps.isEmpty { body += "<p class=\"muted\" id=\"no-steps\">No steps recorded.</p>" }
        for step in detail.steps { body += render(step, mark: replay?.byStep[step.index]) }
        body += "<h2>Submitted patch</h2>"
        if let patch = episode.submittedPatch, !patch.isEmpty {
            body += PatchRendering.block(patch, cssClass: "patch submitted-patch")
        } else {
            body += "<p class=\"muted\" id=\"no-patch\">No patch was submitted.</p>"
        }
        if let grading = episode.gradingJSON {
            body += "<details><summary>Grading report</summary>\(PatchRendering.block(RunPage.prettyJSON(grading), cssClass: "grading"))</details>"
        }
        return HTML.page(title: episode.instanceID, body: body)
    }

    private static func replaySummary(_ marks: ReplayMarks?) -> String {
        guard let replay = marks?.replay else { return "" }
        var html = "<section class=\"replay-summary\" id=\"replay-summary\"><h2>Replay</h2><dl class=\"facts\">"
        html += "<dt>Latest</dt><dd>\(HTML.escape(replay.mode.rawValue)) replay of attempt \(replay.attempt), \(HTML.date(replay.createdAt))</dd>"
        html += "<dt>Steps</dt><dd>\(replay.matched) of \(replay.steps) matched, "
            + "<span id=\"replay-mismatched\">\(replay.mismatched) mismatched</span></dd>"
        html += "<dt>Score</dt><dd id=\"replay-score\">\(String(format: "%.2f", replay.score))</dd>"
        if replay.mode == .model {
            html += "<dt>Replayed patch</dt><dd>\(replay.passed.map { $0 ? "passed" : "failed" } ?? "not graded")</dd>"
        }
        if let detail = replay.detail, !detail.isEmpty { html += "<dt>Note</dt><dd>\(HTML.escape(detail))</dd>" }
        return html + "</dl></section>"
    }

    private static func render(_ step: Step, mark: ReplayStep?) -> String {
        var classes = ["step"]
        if let tool = step.toolName { classes.append("tool-\(toolClass(tool))") } else { classes.append("terminal") }
        if mark?.status == .mismatch { classes.append("step-mismatch") }
        var html = "<section class=\"\(classes.joined(separator: " "))\" id=\"step-\(step.index)\" data-step=\"\(step.index)\">"
        html += "<header><span class=\"index\">Step \(step.index + 1)</span>"
        html += "<span class=\"tool\">\(HTML.escape(step.toolName ?? "final answer"))</span>"
        if let tokens = step.actionTokens { html += "<span class=\"muted\">\(tokens) tokens out</span>" }
        if let prompt = step.promptTokens { html += "<span class=\"muted\">\(HTML.number(prompt)) in</span>" }
        if let seconds = step.modelDuration { html += "<span class=\"muted\">model \(HTML.seconds(seconds))</span>" }
        if let seconds = step.toolDuration { html += "<span class=\"muted\">tool \(HTML.seconds(seconds))</span>" }
        if let mark {
            let label = mark.status == .mismatch ? "replay mismatch" : "replay \(mark.status.rawValue)"
            html += "<span class=\"replay-mark replay-\(mark.status.rawValue)\">\(label)</span>"
        }
        html += "</header>"
        html += "<div class=\"label\">Action</div>" + PatchRendering.block(step.actionText, cssClass: "action")
        if let observation = step.observationBody ?? step.observationText {
            html += "<div class=\"label\">Observation</div>" + PatchRendering.block(observation, cssClass: "observation")
        }
        if let mark, mark.status == .mismatch {
            if let diff = mark.diff, !diff.isEmpty {
                html += "<div class=\"label\">Replay difference (recorded → replayed)</div>"
                    + PatchRendering.block(diff, cssClass: "replay-diff", isDiff: true)
            } else {
                html += "<div class=\"label\">Replayed observation</div>"
                    + PatchRendering.block(mark.replayed ?? "(none: the replay produced no observation)", cssClass: "replay-diff")
            }
        }
        return html + "</section>"
    }

    /// One chip per step linking to it: the tool, and red where a replay did not reproduce it.
    private static func overview(_ steps: [Step], marks: ReplayMarks?) -> String {
        guard !steps.isEmpty else { return "" }
        var html = "<nav class=\"step-overview\" id=\"step-overview\">"
        for step in steps {
            let mismatch = marks?.byStep[step.index]?.status == .mismatch
            html += "<a href=\"#step-\(step.index)\" class=\"chip\(mismatch ? " chip-mismatch" : "")\">"
                + "\(step.index + 1) \(HTML.escape(step.toolName ?? "final"))</a>"
        }
        return html + "</nav>"
    }

    private static func toolClass(_ tool: String) -> String {
        String(tool.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
