import ArgumentParser
import Foundation
import Grading

/// `forager vote`: CWM's simple majority voting over SWE-bench prediction files (spec §6).
struct VoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vote",
        abstract: "Pick each instance's most common patch (CWM's simple majority voting) and write the voted predictions.",
        discussion: """
            Reads JSONL, a JSON list, or a JSON object keyed by instance id. Each row has instance_id and \
            model_patch, and optionally model_name_or_path and a boolean resolved or passed (missing: not \
            passed); rows holding CWM trajectories (rollouts) are read too. Ties go to the patch seen first \
            after Python's random.shuffle seeded with the model name, so the output matches CWM's script.
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Prediction files, read in the order given.")
    var predictions: [String]

    @Option(name: .customLong("model-name"), help: "model_name_or_path of the output rows and the shuffle's seed.")
    var modelName = MajorityVote.defaultModelName

    @Option(name: .customLong("max-samples"), help: "Keep the first N samples per instance after the shuffle (≤ 0: all).")
    var maxSamples = -1

    @Option(help: "Write the voted predictions (JSONL) here.")
    var out: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if predictions.isEmpty { throw ValidationError("Give at least one file with --predictions.") }
    }

    func run() async throws {
        var rows: [PredictionFile.Row] = []
        for path in predictions { rows += try PredictionFile.read(path: path) }
        let result = MajorityVote.vote(rows.map(\.sample), modelNameOrPath: modelName, maxSamples: maxSamples)
        if let out { try write(result.predictions, to: out) }
        let summary = VoteSummary(result: result, rows: rows.count, rowsWithoutOutcome: rows.filter { !$0.hasOutcome }.count, out: out)
        if json {
            try Output.json(summary)
        } else {
            print(summary.text)
        }
    }

    private func write(_ predictions: [VotedPrediction], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for prediction in predictions {
            data += try encoder.encode(prediction)
            data.append(0x0A)
        }
        try data.write(to: URL(fileURLWithPath: path))
    }
}

struct VoteSummary: Encodable {
    struct Flaky: Encodable {
        var instanceID: String
        var passed: Int
        var runs: Int
        enum CodingKeys: String, CodingKey { case instanceID = "instance_id", passed, runs }
    }

    var rows: Int
    var rowsWithoutOutcome: Int
    var instances: Int
    var voted: Int
    var passing: Int
    var score: Double
    var flaky: [Flaky]
    var out: String?

    init(result: MajorityVoteResult, rows: Int, rowsWithoutOutcome: Int, out: String?) {
        self.rows = rows
        self.rowsWithoutOutcome = rowsWithoutOutcome
        instances = result.instanceCount
        voted = result.predictions.count
        passing = result.passingCount
        score = result.score
        flaky = result.flaky.map { Flaky(instanceID: $0.instanceID, passed: $0.outcomes.filter { $0 }.count, runs: $0.outcomes.count) }
        self.out = out
    }

    enum CodingKeys: String, CodingKey {
        case rows, rowsWithoutOutcome = "rows_without_outcome", instances, voted, passing, score, flaky, out
    }

    var text: String {
        var lines: [String] = []
        if !flaky.isEmpty {
            lines.append("Flaky patches (\(flaky.count) patch-instance pairs):")
            lines += flaky.map { "  \($0.instanceID): patch passed \($0.passed)/\($0.runs) times" }
        }
        lines.append("Rows read: \(rows)" + (rowsWithoutOutcome > 0 ? " (\(rowsWithoutOutcome) without resolved/passed, counted as not passing)" : ""))
        lines.append("Total instances: \(instances) (\(instances - voted) with only empty patches)")
        lines.append("Passing instances: \(passing) (\(String(format: "%.2f", score * 100))%)")
        if let out { lines.append("Wrote \(voted) voted predictions to \(out)") }
        return lines.joined(separator: "\n")
    }
}
