import Foundation
import Trajectories

/// ANSI colour for `forager show`, only on a terminal and without NO_COLOR.
struct TranscriptStyle {
    let colored: Bool

    static var terminalWantsColor: Bool {
        isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    func heading(_ text: String) -> String { paint(text, "1;36") }
    func label(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
    func good(_ text: String) -> String { paint(text, "32") }
    func bad(_ text: String) -> String { paint(text, "31") }
    func tool(_ text: String) -> String { paint(text, "33") }

    /// Colours a diff's added and removed lines.
    func diff(_ text: String) -> String {
        guard colored else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("+++") || line.hasPrefix("---") { return label(String(line)) }
            if line.hasPrefix("+") { return good(String(line)) }
            if line.hasPrefix("-") { return bad(String(line)) }
            if line.hasPrefix("@@") { return paint(String(line), "36") }
            return String(line)
        }.joined(separator: "\n")
    }

    private func paint(_ text: String, _ code: String) -> String {
        colored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// An episode as text: header, task, turns, patch, grade, replays.
struct Transcript {
    let episode: EpisodeWithSteps
    let run: Run
    let replays: [Replay]
    let style: TranscriptStyle

    func render() -> String {
        var out: [String] = []
        let e = episode.episode
        out.append(style.heading("Episode \(e.id)"))
        out.append("run \(e.runID) · instance \(e.instanceID) · sample \(e.sampleIndex) · attempt \(e.attempt)")
        out.append("model \(run.modelName) (\(run.backendKind)) · status \(e.status.rawValue)"
                   + (e.terminalMessage.flatMap { $0.isEmpty ? nil : " · \(firstLine($0))" } ?? ""))
        var times = "started \(timestamp(e.startedAt))"
        if let ended = e.endedAt { times += String(format: " · %.1f s", ended.timeIntervalSince(e.startedAt)) }
        out.append(times + " · tokens: \(e.promptTokens) prompt, \(e.completionTokens) completion")

        out.append("")
        out.append(style.heading("== Task =="))
        out.append(taskText(e))

        for step in episode.steps {
            out.append("")
            let attempt = episode.steps.contains { $0.attempt != step.attempt } ? " (attempt \(step.attempt))" : ""
            out.append(style.heading("== Turn \(step.index + 1)\(attempt) =="))
            let (reasoning, call) = splitAction(step.actionText)
            if !reasoning.isEmpty {
                let final = step.toolName == nil && step.observationText == nil
                out.append(style.label(final ? "Final answer:" : "Reasoning:"))
                out.append(indent(reasoning))
            }
            if let name = step.toolName {
                out.append(style.label("Tool call: ") + style.tool(name))
                out.append(indent(step.toolInput ?? call ?? ""))
            }
            if let observation = step.observationBody ?? step.observationText {
                let (output, budget) = splitObservation(observation)
                out.append(style.label(step.role == .user ? "Observation (format error):" : "Observation:"))
                out.append(indent(output))
                if let budget { out.append(style.dim("Budget: \(budget)")) }
            }
            var metrics: [String] = []
            if let tokens = step.actionTokens { metrics.append("\(tokens) action tokens") }
            if let tokens = step.observationTokens { metrics.append("\(tokens) observation tokens") }
            if let seconds = step.toolDuration { metrics.append(String(format: "tool %.2f s", seconds)) }
            if !metrics.isEmpty { out.append(style.dim(metrics.joined(separator: " · "))) }
        }

        out.append("")
        out.append(style.heading("== Submitted patch =="))
        if let patch = e.submittedPatch, !patch.isEmpty {
            out.append(style.diff(patch.hasSuffix("\n") ? String(patch.dropLast()) : patch))
        } else {
            out.append(style.dim("(none)"))
        }

        out.append("")
        out.append(style.heading("== Grade =="))
        out.append(gradeText(e))

        if !replays.isEmpty {
            out.append("")
            out.append(style.heading("== Replays =="))
            for replay in replays {
                let verdict = String(format: "%.3f", replay.score)
                let line = "\(replay.id) · \(replay.mode.rawValue) · \(timestamp(replay.createdAt)) · score \(verdict) "
                    + "(\(replay.matched)/\(replay.steps) matched)"
                    + (replay.passed.map { $0 ? " · graded again: resolved" : " · graded again: not resolved" } ?? "")
                out.append(replay.mismatched == 0 ? style.good(line) : style.bad(line))
            }
        }
        return out.joined(separator: "\n")
    }

    private func taskText(_ e: Episode) -> String {
        if let json = e.taskJSON,
           let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
           let statement = object["problem_statement"] as? String, !statement.isEmpty {
            var text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
            if let image = object["image"] as? String { text += "\n" + style.dim("image \(image)") }
            return text
        }
        return e.userPrompt ?? style.dim("(no task recorded)")
    }

    private func gradeText(_ e: Episode) -> String {
        guard let passed = e.passed else { return style.dim("not graded") }
        var lines = [passed ? style.good("resolved") : style.bad("not resolved")]
        if let json = e.gradingJSON,
           let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any],
           let report = object[e.instanceID] as? [String: Any],
           let status = report["tests_status"] as? [String: Any] {
            for key in ["FAIL_TO_PASS", "PASS_TO_PASS"] {
                guard let tests = status[key] as? [String: Any] else { continue }
                let success = (tests["success"] as? [Any])?.count ?? 0
                let failure = (tests["failure"] as? [Any])?.count ?? 0
                lines.append("\(key): \(success) of \(success + failure) pass")
            }
        }
        if let seconds = e.evalDuration { lines.append(style.dim(String(format: "graded in %.1f s", seconds))) }
        return lines.joined(separator: "\n")
    }

    /// The turn's text before its tool call (think markers dropped), and the call block.
    private func splitAction(_ text: String) -> (reasoning: String, call: String?) {
        var reasoning = text
        var call: String?
        if let start = text.range(of: "<tool:") {
            reasoning = String(text[..<start.lowerBound])
            call = String(text[start.lowerBound...])
        }
        reasoning = reasoning.replacingOccurrences(of: "</think>", with: "").replacingOccurrences(of: "<think>", with: "")
        return (reasoning.trimmingCharacters(in: .whitespacesAndNewlines), call)
    }

    /// A tool message body without its `<output>` wrapper, and its budget notice as one line.
    private func splitObservation(_ body: String) -> (output: String, budget: String?) {
        var output = body
        var budget: String?
        if let open = body.range(of: "<budget>\n", options: .backwards),
           let close = body.range(of: "\n</budget>", range: open.upperBound..<body.endIndex) {
            budget = body[open.upperBound..<close.lowerBound]
                .split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "* ")) }
                .joined(separator: ", ")
            output = String(body[..<open.lowerBound])
        }
        if output.hasPrefix("<output>\n") { output = String(output.dropFirst("<output>\n".count)) }
        while output.hasSuffix("\n") { output = String(output.dropLast()) }
        if output.hasSuffix("</output>") { output = String(output.dropLast("</output>".count)) }
        while output.hasSuffix("\n") { output = String(output.dropLast()) }
        return (output, budget)
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }

    private func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
        return line.count > 160 ? String(line.prefix(160)) + "…" : line
    }

    private func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
