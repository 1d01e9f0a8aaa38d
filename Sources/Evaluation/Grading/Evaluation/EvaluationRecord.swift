import Foundation
import ForagerSupport
import Tasks

extension InstanceEvaluator {
    /// What one evaluation has found so far (the result, the log, the phase clock) and the
    /// folder its files go to. Each way an evaluation ends is one method here.
    struct Record {
        var result: Result
        var log: String
        let files: Files
        private var clock = ContinuousClock.now

        init(task: TaskRow, model: String, runID: String, files: Files) {
            result = Result(instanceID: task.instanceID, outcome: .unresolved, report: nil, timedOut: false, appliedWith: nil, phases: [:])
            log = "instance \(task.instanceID), model \(model), run \(runID), image \(task.image)\n"
            self.files = files
        }

        /// Ends `phase`: its seconds since the previous phase ended.
        mutating func lap(_ phase: EvaluationPhase) {
            let now = ContinuousClock.now
            result.phases[phase] = (now - clock).seconds
            clock = now
        }

        /// The prediction did not apply: graded as such, nothing run (SWE-bench's "Patch Apply Failed").
        func notApplied() -> Result {
            finish(InstanceReport(patchSuccessfullyApplied: false, resolved: false), outcome: .unresolved)
        }

        /// The tests ran and `report` grades them.
        func graded(_ report: InstanceReport) -> Result {
            finish(report, outcome: report.resolved ? .resolved : .unresolved)
        }

        /// The tests never ran, for `reason`.
        func infraFailure(_ reason: InfraFailureReason, message: String) -> Result {
            var r = result
            r.message = message
            let report = InstanceReport(patchSuccessfullyApplied: false, resolved: false, infraFailure: true, infraFailureReason: reason)
            r.report = report
            r.outcome = .infraFailure
            files.write("run_instance.log", log + "infrastructure failure (\(reason.rawValue)): \(message)\n")
            files.writeReport(result.instanceID, report)
            return r
        }

        private func finish(_ report: InstanceReport, outcome: Result.Outcome) -> Result {
            var r = result
            r.report = report
            r.outcome = outcome
            files.writeReport(result.instanceID, report)
            files.write("run_instance.log", log)
            return r
        }
    }

    /// Writes one instance's files; a write that fails is logged on stderr, never fatal.
    struct Files: Sendable {
        let directory: URL

        init(directory: URL) {
            self.directory = directory
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func write(_ name: String, _ text: String) {
            do { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) } catch {
                FileHandle.standardError.write(Data("forager: cannot write \(directory.path)/\(name): \(error)\n".utf8))
            }
        }

        func writeReport(_ id: String, _ report: InstanceReport) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode([id: report]) else { return }
            write("report.json", String(decoding: data, as: UTF8.self))
        }
    }
}
