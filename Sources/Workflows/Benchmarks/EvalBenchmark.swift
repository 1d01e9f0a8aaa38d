import DockerEngine
import ForagerSupport
import Foundation
import Grading
import Tasks

/// `forager bench eval`: how fast the gold patches of a task file validate, with 1 and 2 workers,
/// and where the time goes (container start, patch apply, tests, grading).
public struct EvalBenchmark: Sendable {
    public struct Result: Codable, Sendable {
        public var tasks: String
        public var instances: Int
        public var instancesPerMinute: [String: Double]
        public var resolved: [String: Int]
        /// Mean seconds per instance of each phase, over every run.
        public var phaseMeanSeconds: [String: Double]

        enum CodingKeys: String, CodingKey {
            case tasks, instances, resolved
            case instancesPerMinute = "instances_per_minute", phaseMeanSeconds = "phase_mean_seconds"
        }
    }

    public var workerCounts = [1, 2]

    public init() {}

    public func run(client: DockerClient, tasksFile: String, progress: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        let tasks = try TaskLoader.load(tasksFile)
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("forager-bench-eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: logs) }
        var perMinute: [String: Double] = [:], resolved: [String: Int] = [:]
        var phaseTotals: [String: Double] = [:]
        var evaluated = 0
        for workers in workerCounts {
            progress("gold validation of \(tasks.count) instances with \(workers) worker(s)")
            let run = EvaluationRun(evaluator: InstanceEvaluator(client: client, grade: Grader.grade),
                                    options: .init(runID: "bench-\(workers)-\(UUID().uuidString.prefix(8))", workers: workers,
                                                   logsDirectory: logs, reportDirectory: logs))
            let start = ContinuousClock.now
            let summary = try await run.run(tasks: tasks, predictions: PredictionLoader.gold(tasks))
            let elapsed = ContinuousClock.now - start
            let seconds = elapsed.seconds
            perMinute["\(workers)"] = rounded(Double(tasks.count) / seconds * 60)
            resolved["\(workers)"] = summary.resolvedInstances
            for (phase, s) in summary.phaseSeconds { phaseTotals[phase.rawValue, default: 0] += s }
            evaluated += summary.completedInstances
        }
        let means = phaseTotals.mapValues { rounded($0 / Double(max(1, evaluated))) }
        return Result(tasks: tasksFile, instances: tasks.count, instancesPerMinute: perMinute, resolved: resolved, phaseMeanSeconds: means)
    }
}
