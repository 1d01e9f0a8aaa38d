import ArgumentParser
import DockerEngine
import Foundation
import Grading
import Tasks

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Grade patches with the tasks' hidden tests, SWE-bench style.",
        discussion: """
            Each prediction is applied in a fresh container of its task's image (network off) with \
            CWM's patch-apply cascade; the test patch is applied and the tests run under a timeout; \
            the log is graded with SWE-bench v5's rules. Writes report.json, test_output.txt, \
            patch.diff, eval.sh and run_instance.log under logs/run_evaluation/<run_id>/<model>/<instance_id>/ \
            and the summary <model>.<run_id>.json in the report directory. Re-running with the same \
            run id skips instances that already have a report.
            """
    )

    @Option(help: "Task rows: SWE-bench JSONL, a JSON list, or a JSON dict keyed by instance id.")
    var tasks: String

    @Option(help: "Predictions (instance_id, model_name_or_path, model_patch) in any SWE-bench shape.")
    var predictions: String?

    @Flag(help: "Grade each task's gold patch (model name 'gold').")
    var gold = false

    @Flag(help: "Grade empty patches (model name 'empty'): nothing resolves.")
    var empty = false

    @Option(name: .customLong("instance-ids"), parsing: .upToNextOption, help: "Only these instances.")
    var instanceIDs: [String] = []

    @Option(help: "Run id (default: a timestamp). Reports of this run id are not evaluated again.")
    var runID: String?

    @Option(help: "Instances evaluated at once.")
    var workers = 2

    @Option(help: "Seconds the tests of one instance may run (a row's own timeout wins).")
    var timeout: Double = 1800

    @Option(help: "Where the run summary goes.")
    var reportDir = "."

    @Option(help: "Where logs/run_evaluation/ goes.")
    var logsDir = "logs"

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Option(help: "Grading mode: swebench-v4, swebench-v5 or cwm (default: swebench-v5 for classic SWE-bench rows, Forager's grading for rows with their own test_cmd or eval_script).")
    var grading: GradingMode?

    @OptionGroup var images: OfficialImageOptions

    @Option(help: "Images pulled at once when missing.")
    var pullWorkers = 2

    @OptionGroup(title: "Cluster") var clusterOptions: ClusterOptions

    @Option(name: .customLong("infra-retries"), help: "Evaluations of an instance whose infrastructure failed (a node left, the engine erred) made again (default: 2 with --cluster swarm, else 0).")
    var infraRetries: Int?

    func validate() throws {
        let modes = [predictions != nil, gold, empty].filter { $0 }.count
        guard modes == 1 else { throw ValidationError("Give exactly one of --predictions FILE, --gold, --empty.") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds.") }
    }

    func run() async throws {
        var rows = images.apply(try TaskLoader.load(tasks))
        if !instanceIDs.isEmpty {
            let known = Set(rows.map(\.instanceID))
            let unknown = instanceIDs.filter { !known.contains($0) }
            guard unknown.isEmpty else { throw CommandFailure("Not in \(tasks): \(unknown.joined(separator: ", "))") }
            let wanted = Set(instanceIDs)
            rows = rows.filter { wanted.contains($0.instanceID) }
        }
        let preds: [Prediction]
        if let predictions {
            preds = try PredictionLoader.load(predictions, tasks: rows)
        } else {
            preds = gold ? PredictionLoader.gold(rows) : PredictionLoader.empty(rows)
        }
        let runID = self.runID ?? Self.timestampRunID()
        let client = try await DockerClient.connect()
        try await RecipeImages.buildMissing(rows.map(\.image), client: client)
        let wanted = Set(preds.map(\.instanceID))
        try await ImagePuller(client: client, workers: pullWorkers).ensure(rows.filter { wanted.contains($0.instanceID) }.map(\.image)) {
            Output.progress("\($0)\n")
        }
        var evaluator = InstanceEvaluator(client: client, grade: Grader.grade)
        evaluator.grading = grading
        var options = EvaluationRun.Options(runID: runID, workers: workers, timeout: .milliseconds(Int64(timeout * 1000)),
                                            logsDirectory: URL(fileURLWithPath: logsDir), reportDirectory: URL(fileURLWithPath: reportDir))
        options.dataset = tasks
        options.infraRetries = try clusterOptions.infraRetries(infraRetries)
        let evaluation = EvaluationRun(evaluator: evaluator, options: options)
        let progress = EvalProgress()
        let summary = try await clusterOptions.placing(manager: client, registry: images.registry) {
            try await evaluation.run(tasks: rows, predictions: preds) { progress.handle($0) }
        }
        progress.finish()
        let model = EvaluationRun.safeModelName(preds.first?.modelNameOrPath ?? "unknown-model")
        let summaryPath = URL(fileURLWithPath: reportDir).appendingPathComponent("\(model).\(EvaluationRun.safeModelName(runID)).json").path
        if json {
            try Output.json(summary)
            return
        }
        print(Output.table([
            ["run", runID],
            ["instances", "\(summary.totalInstances) (\(summary.submittedInstances) submitted)"],
            ["resolved", "\(summary.resolvedInstances)"],
            ["unresolved", "\(summary.unresolvedInstances)\(summary.timedOutIDs.isEmpty ? "" : " (\(summary.timedOutIDs.count) timed out)")"],
            ["empty patches", "\(summary.emptyPatchInstances)"],
            ["infrastructure errors", "\(summary.errorInstances)"],
            ["summary", summaryPath],
            ["logs", "\(logsDir)/run_evaluation/\(runID)/\(model)/"],
        ]))
    }

    static func timestampRunID() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}

/// `forager eval`'s progress: resolved and errors beside done/total and the ETA.
final class EvalProgress: @unchecked Sendable {
    private let status = LiveStatus(prefix: "eval")
    private let lock = NSLock()
    private var resolved = 0, errors = 0

    func handle(_ event: EvaluationRun.Event) {
        switch event {
        case .started(let total, let skipped):
            status.begin(total: total, skipped: skipped,
                         note: skipped > 0 ? "\(skipped) already have a report in this run; skipping them" : nil)
        case .finished(let result):
            let counts = lock.withLock { () -> String in
                if result.outcome == .resolved { resolved += 1 }
                if result.outcome == .infraFailure { errors += 1 }
                return "\(resolved) resolved, \(errors) errors"
            }
            let detail = (result.timedOut ? " (timed out)" : "") + (result.outcome == .infraFailure ? " — \(result.message ?? "")" : "")
            status.advance("\(result.instanceID): \(result.outcome.rawValue)\(detail)", counts: counts)
        }
    }

    func finish() { status.finish(counts: lock.withLock { "\(resolved) resolved, \(errors) errors" }) }
}
