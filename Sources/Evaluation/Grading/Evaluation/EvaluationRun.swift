import DockerEngine
import Foundation
import ForagerSupport
import Tasks

/// `forager eval`: every prediction evaluated in its own container, `workers` at a time, written in
/// SWE-bench's layout under `logs/run_evaluation/<run_id>/<model>/<instance_id>/`, with the run
/// summary `<model>.<run_id>.json` in the report directory.
public struct EvaluationRun: Sendable {
    public struct Options: Sendable {
        public var runID: String
        public var workers: Int
        /// Per-instance test timeout; a row's own `timeout` wins.
        public var timeout: Duration
        public var logsDirectory: URL
        public var reportDirectory: URL
        /// What the run grades against (the task file), recorded in `run.json` as v5 does.
        public var dataset: String?
        /// Evaluations made again for an instance whose infrastructure failed (a swarm node that
        /// left, an engine error); the last one counts.
        public var infraRetries = 0

        public init(runID: String, workers: Int = 2, timeout: Duration = .seconds(1800),
                    logsDirectory: URL = URL(fileURLWithPath: "logs"), reportDirectory: URL = URL(fileURLWithPath: ".")) {
            self.runID = runID
            self.workers = max(1, workers)
            self.timeout = timeout
            self.logsDirectory = logsDirectory
            self.reportDirectory = reportDirectory
        }
    }

    public enum Event: Sendable {
        case started(total: Int, skipped: Int)
        case finished(InstanceEvaluator.Result)
    }

    public let evaluator: InstanceEvaluator
    public let options: Options

    public init(evaluator: InstanceEvaluator, options: Options) {
        self.evaluator = evaluator
        self.options = options
    }

    /// The folder of one instance's files; run id, model and instance id each become one folder
    /// name (`FileNames`), so none of them can lead out of the logs directory.
    public func instanceDirectory(model: String, instanceID: String) -> URL {
        options.logsDirectory.appendingPathComponent("run_evaluation").appendingPathComponent(FileNames.name(for: options.runID))
            .appendingPathComponent(Self.safeModelName(model)).appendingPathComponent(FileNames.name(for: instanceID))
    }

    public static func safeModelName(_ model: String) -> String { FileNames.name(for: model) }

    /// Evaluates, writes the summary, and returns it. Instances that already have a report from
    /// this run id (other than an infrastructure failure) are not evaluated again.
    public func run(tasks: [TaskRow], predictions: [Prediction], progress: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> RunSummary {
        let byID = Dictionary(uniqueKeysWithValues: tasks.map { ($0.instanceID, $0) })
        var pending: [(TaskRow, Prediction)] = []
        var previous: [InstanceEvaluator.Result] = []
        for prediction in predictions {
            guard let task = byID[prediction.instanceID] else { continue }
            let dir = instanceDirectory(model: prediction.modelNameOrPath, instanceID: task.instanceID)
            if let report = Self.readReport(dir, task.instanceID),
               report.infraFailureReason?.isInfrastructure != true {
                previous.append(InstanceEvaluator.Result(instanceID: task.instanceID, outcome: report.resolved ? .resolved : .unresolved,
                                                         report: report, timedOut: false, appliedWith: nil, phases: [:]))
            } else {
                pending.append((task, prediction))
            }
        }
        progress(.started(total: pending.count + previous.count, skipped: previous.count))

        let results = await withTaskGroup(of: InstanceEvaluator.Result.self) { group in
            var collected: [InstanceEvaluator.Result] = []
            var queue = pending[...]
            func launch() {
                guard let (task, prediction) = queue.popFirst() else { return }
                let dir = instanceDirectory(model: prediction.modelNameOrPath, instanceID: task.instanceID)
                let timeout = task.testTimeout(default: options.timeout)
                let evaluator = self.evaluator, runID = options.runID, retries = options.infraRetries
                group.addTask {
                    var result = await evaluator.evaluate(task: task, prediction: prediction, runID: runID, directory: dir, timeout: timeout)
                    var tries = 0
                    while result.outcome == .infraFailure, tries < retries, !Task.isCancelled, !ShutdownGate.isClosed {
                        tries += 1
                        result = await evaluator.evaluate(task: task, prediction: prediction, runID: runID, directory: dir, timeout: timeout)
                    }
                    return result
                }
            }
            for _ in 0..<options.workers { launch() }
            for await result in group {
                collected.append(result)
                progress(.finished(result))
                launch()
            }
            return collected
        }

        let model = predictions.first?.modelNameOrPath ?? "unknown-model"
        let summary = RunSummary(tasks: tasks, predictions: predictions, results: previous + results)
        try FileManager.default.createDirectory(at: options.reportDirectory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let file = options.reportDirectory.appendingPathComponent("\(Self.safeModelName(model)).\(FileNames.name(for: options.runID)).json")
        try encoder.encode(summary).write(to: file)
        try RunMetadata.write(dataset: options.dataset, to: options.logsDirectory.appendingPathComponent("run_evaluation")
            .appendingPathComponent(options.runID).appendingPathComponent("run.json"))
        return summary
    }

    static func readReport(_ dir: URL, _ id: String) -> InstanceReport? {
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("report.json")),
              let decoded = try? JSONDecoder().decode([String: InstanceReport].self, from: data) else { return nil }
        return decoded[id]
    }
}

/// SWE-bench's run summary (schema 2, with v5's infrastructure keys) plus Forager's timings.
public struct RunSummary: Codable, Sendable {
    public var totalInstances: Int
    public var submittedInstances: Int
    public var completedInstances: Int
    public var resolvedInstances: Int
    public var unresolvedInstances: Int
    public var emptyPatchInstances: Int
    public var errorInstances: Int
    public var infraFailureInstances: Int
    public var completedIDs: [String]
    public var incompleteIDs: [String]
    public var emptyPatchIDs: [String]
    public var submittedIDs: [String]
    public var resolvedIDs: [String]
    public var unresolvedIDs: [String]
    public var errorIDs: [String]
    public var infraFailureIDs: [String]
    /// v5: unresolved instances whose run the grader could not trust (a test exit code that
    /// contradicts the log, no tests collected); they are also in `unresolved_ids`.
    public var ambiguousFailureInstances: Int
    public var ambiguousFailureIDs: [String]
    /// Forager: instances whose tests hit the timeout (also unresolved).
    public var timedOutIDs: [String]
    /// Forager: the summed seconds of each phase (container, apply, tests, grade) this invocation.
    public var phaseSeconds: [EvaluationPhase: Double]
    /// v5: why each unresolved or errored instance failed, when known (`infra_failure_reason`, or
    /// the error's first line).
    public var failureReasons: [String: String]
    /// v5's docker-leftover keys: Forager removes every container it starts, so these stay empty.
    public var unstoppedInstances = 0
    public var unstoppedContainers: [String] = []
    public var unremovedImages: [String] = []
    public var schemaVersion: Int

    enum CodingKeys: String, CodingKey {
        case totalInstances = "total_instances", submittedInstances = "submitted_instances"
        case completedInstances = "completed_instances", resolvedInstances = "resolved_instances"
        case unresolvedInstances = "unresolved_instances", emptyPatchInstances = "empty_patch_instances"
        case errorInstances = "error_instances", infraFailureInstances = "infra_failure_instances"
        case completedIDs = "completed_ids", incompleteIDs = "incomplete_ids", emptyPatchIDs = "empty_patch_ids"
        case submittedIDs = "submitted_ids", resolvedIDs = "resolved_ids", unresolvedIDs = "unresolved_ids"
        case errorIDs = "error_ids", infraFailureIDs = "infra_failure_ids", timedOutIDs = "timed_out_ids"
        case ambiguousFailureInstances = "ambiguous_failure_instances", ambiguousFailureIDs = "ambiguous_failure_ids"
        case phaseSeconds = "phase_seconds", schemaVersion = "schema_version", failureReasons = "failure_reasons"
        case unstoppedInstances = "unstopped_instances", unstoppedContainers = "unstopped_containers", unremovedImages = "unremoved_images"
    }

    init(tasks: [TaskRow], predictions: [Prediction], results: [InstanceEvaluator.Result]) {
        let submitted = Set(predictions.map(\.instanceID))
        func ids(_ outcome: InstanceEvaluator.Result.Outcome) -> [String] {
            results.filter { $0.outcome == outcome }.map(\.instanceID).sorted()
        }
        totalInstances = tasks.count
        submittedIDs = submitted.sorted()
        submittedInstances = submitted.count
        incompleteIDs = tasks.map(\.instanceID).filter { !submitted.contains($0) }.sorted()
        resolvedIDs = ids(.resolved)
        unresolvedIDs = ids(.unresolved)
        emptyPatchIDs = ids(.emptyPatch)
        infraFailureIDs = ids(.infraFailure)
        errorIDs = infraFailureIDs
        completedIDs = (resolvedIDs + unresolvedIDs).sorted()
        timedOutIDs = results.filter(\.timedOut).map(\.instanceID).sorted()
        ambiguousFailureIDs = results.filter { $0.outcome == .unresolved && $0.report?.infraFailure == true }.map(\.instanceID).sorted()
        ambiguousFailureInstances = ambiguousFailureIDs.count
        completedInstances = completedIDs.count
        resolvedInstances = resolvedIDs.count
        unresolvedInstances = unresolvedIDs.count
        emptyPatchInstances = emptyPatchIDs.count
        errorInstances = errorIDs.count
        infraFailureInstances = infraFailureIDs.count
        phaseSeconds = results.reduce(into: [:]) { sums, r in
            for (k, v) in r.phases { sums[k, default: 0] += v }
        }
        failureReasons = Dictionary(results.compactMap { r -> (String, String)? in
            guard r.outcome == .unresolved || r.outcome == .infraFailure else { return nil }
            let reason = r.report?.infraFailureReason?.rawValue ?? r.message?.split(separator: "\n").first.map(String.init)
            return reason.map { (r.instanceID, $0) }
        }, uniquingKeysWith: { a, _ in a })
        schemaVersion = 2
    }
}

/// v5's `run.json` beside a run's instance folders: what the run graded against.
enum RunMetadata {
    struct Contents: Encodable {
        let dataset: String?
        let split: String?
        let taskRepo: String?
        let createdAt: String
        enum CodingKeys: String, CodingKey { case dataset, split, taskRepo = "task_repo", createdAt = "created_at" }
    }

    static func write(dataset: String?, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let contents = Contents(dataset: dataset, split: nil, taskRepo: nil, createdAt: formatter.string(from: Date()))
        try (encoder.encode(contents) + Data("\n".utf8)).write(to: file)
    }
}
