import Foundation
import Tasks

extension InstanceEvaluator {
    /// The mode a task is graded under: the evaluator's, else v5 for a classic row, else nil
    /// (Forager's grading: CWM's apply cascade, the injected grader, network off).
    func effectiveMode(for task: TaskRow) -> GradingMode? {
        grading ?? (task.isClassic ? .sweBenchV5 : nil)
    }
}

extension InstanceEvaluator.Record {
    /// A SWE-bench error (patch not applied, tests timed out): no `report.json`, so the instance
    /// counts in `error_ids` and is evaluated again when the run id is reused.
    func sweBenchError(message: String) -> InstanceEvaluator.Result {
        var r = result
        r.outcome = .infraFailure
        r.report = nil
        r.message = message
        files.write("run_instance.log", log + message + "\n")
        return r
    }
}
