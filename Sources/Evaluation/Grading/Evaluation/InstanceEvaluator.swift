import DockerEngine
import Foundation
import Sandbox
import Tasks

/// Evaluates one prediction in a fresh container with the network off: write the patch, apply it
/// with CWM's cascade, run the hidden tests with a timeout, grade the log.
public struct InstanceEvaluator: Sendable {
    public struct Result: Sendable {
        public enum Outcome: String, Sendable, Codable {
            case resolved, unresolved, emptyPatch = "empty_patch", infraFailure = "infra_failure"
        }
        public var instanceID: String
        public var outcome: Outcome
        public var report: InstanceReport?
        public var timedOut: Bool
        public var appliedWith: String?
        /// Seconds spent per phase: container, apply, tests, grade.
        public var phases: [EvaluationPhase: Double]
        public var message: String?
        /// The whole test output (`test_output.txt`) when the tests ran.
        public var testOutput: String?
    }

    public let client: DockerClient
    public let grade: @Sendable (GradingInput) -> InstanceReport
    /// Limits of the grading container (network stays off), outside the SWE-bench modes.
    public var memoryBytes: Int64 = 8 << 30
    public var cpus: Double = 2.0
    /// The grading mode; nil: SWE-bench v5 for classic rows, Forager's grading otherwise.
    public var grading: GradingMode?

    public init(client: DockerClient, grade: @escaping @Sendable (GradingInput) -> InstanceReport) {
        self.client = client
        self.grade = grade
    }

    /// Evaluates and writes SWE-bench's files into `directory` (`patch.diff`, `eval.sh`,
    /// `test_output.txt`, `report.json`, `run_instance.log`).
    public func evaluate(task: TaskRow, prediction: Prediction, runID: String, directory: URL, timeout: Duration) async -> Result {
        if prediction.isEmpty {
            return Result(instanceID: task.instanceID, outcome: .emptyPatch, report: nil, timedOut: false, appliedWith: nil, phases: [:])
        }
        return await execute(task: task, patch: prediction.modelPatch ?? "", model: prediction.modelNameOrPath, runID: runID,
                             directory: directory, timeout: timeout)
    }

    /// Runs and grades the hidden tests on the task's tree as it stands (its `bug_patch` applied,
    /// no prediction): a reference run. The same files are written, without `patch.diff`.
    public func evaluateTree(task: TaskRow, runID: String, directory: URL, timeout: Duration) async -> Result {
        await execute(task: task, patch: nil, model: "reference", runID: runID, directory: directory, timeout: timeout)
    }

    private func execute(task: TaskRow, patch: String?, model: String, runID: String, directory: URL, timeout: Duration) async -> Result {
        var record = Record(task: task, model: model, runID: runID, files: Files(directory: directory))
        if let patch { record.files.write("patch.diff", patch) }
        let mode = effectiveMode(for: task)
        // SWE-bench's own patch-apply commands, network and error rules in its two modes.
        let release = mode.flatMap { $0.isSWEBench ? $0.scriptRelease : nil }
        let script = EvalScript.make(for: task, testPatchFiles: try? PatchFiles(parsing: task.testPatch), mode: mode ?? .standard)
        record.files.write("eval.sh", script)
        let config = sandboxConfig(task, runID: runID, timeout: timeout, sweBench: release != nil)
        do {
            // The one place the grading container is closed: `Sandbox.with` removes it however
            // the body ends (a result, an error, cancellation).
            return try await Sandbox.with(client: client, config: config) { sandbox in
                record.lap(.container)
                if let problem = await RepoRootCheck.problem(client: sandbox.client, containerID: sandbox.containerID, task: task) {
                    throw SetupFailure(reason: .repoRootMissing, message: problem)
                }
                try await prepareTree(task, script: script, in: sandbox, record: &record)
                if let patch, try await !applyPrediction(patch, task, release: release, in: sandbox, record: &record) {
                    // SWE-bench: a patch that does not apply is an error of the run, with no report.
                    return release == nil ? record.notApplied() : record.sweBenchError(message: record.result.message ?? "")
                }
                let run = try await runTests(task, in: sandbox, timeout: timeout, record: &record)
                if run.timedOut, release != nil {
                    return record.sweBenchError(message: "Tests Timed Out after \(Self.timeoutSeconds(timeout)) seconds")
                }
                return gradeTests(task, run: run, mode: mode, record: &record)
            }
        } catch let failure as SetupFailure {
            return record.infraFailure(failure.reason, message: failure.message)
        } catch {
            return record.infraFailure(Self.infraReason(error), message: "\(error)")
        }
    }

    /// The grading container: the task's image, network off and the limits above (in the
    /// SWE-bench modes network on and no memory, CPU or process limits, as their harness creates
    /// its containers), living a little past the test timeout.
    func sandboxConfig(_ task: TaskRow, runID: String, timeout: Duration, sweBench: Bool) -> SandboxConfig {
        var config = SandboxConfig(image: task.image, repoRoot: task.repoRoot, runID: runID, episodeID: task.instanceID,
                                   role: .grade, memoryBytes: memoryBytes, cpus: cpus, network: sweBench,
                                   lifetime: .seconds(Self.timeoutSeconds(timeout) + 600))
        config.resourceCaps = !sweBench
        return config
    }

    private static func timeoutSeconds(_ timeout: Duration) -> Int64 { max(1, timeout.components.seconds) }

    /// The task's tree before the prediction: its base commit, its bug patch, and `/eval.sh`.
    private func prepareTree(_ task: TaskRow, script: String, in sandbox: Sandbox, record: inout Record) async throws {
        do {
            if try await BaseCommit.checkout(task: task, client: sandbox.client, containerID: sandbox.containerID,
                                              keepDescendant: task.isClassic) {
                record.log += ">>>>> Checked out base_commit \(task.baseCommit)\n"
            }
        } catch {
            throw SetupFailure(reason: .baseCommitFailed, message: "\(error)")
        }
        do {
            try await BugPatch.apply(task: task, client: sandbox.client, containerID: sandbox.containerID, commit: false)
        } catch {
            throw SetupFailure(reason: .bugPatchFailed, message: error.description)
        }
        if !task.bugPatch.isEmpty { record.log += ">>>>> Applied Bug Patch\n" }
        try await sandbox.client.writeFile(container: sandbox.containerID, path: "/eval.sh", contents: Data(script.utf8), mode: 0o755)
    }

    /// Applies the prediction with CWM's cascade (or the SWE-bench `release`'s commands); false when
    /// no command applied it. A mutate-fix
    /// task has no test patch to restore the tests from: the test files the prediction touched go
    /// back to the task's tree, so editing a test never resolves.
    private func applyPrediction(_ patch: String, _ task: TaskRow, release: SWEBenchRelease?, in sandbox: Sandbox,
                                 record: inout Record) async throws -> Bool {
        try await sandbox.client.writeFile(container: sandbox.containerID, path: "/tmp/patch.diff", contents: Data(patch.utf8))
        let applyScript = release.map { SWEBenchPatchApply.script($0, repoRoot: task.repoRoot, patchPath: "/tmp/patch.diff") }
            ?? PatchApplyCascade.script(repoRoot: task.repoRoot, patchPath: "/tmp/patch.diff")
        let commands = release.map(SWEBenchPatchApply.commands) ?? PatchApplyCascade.commands
        let apply = try await sandbox.client.exec(container: sandbox.containerID, ["bash", "-c", applyScript], timeout: .seconds(300))
        let applyText = apply.output.stdoutText + apply.output.stderrText
        record.log += applyText
        record.lap(.apply)
        guard apply.exitCode == 0 else {
            record.result.message = applyText
            return false
        }
        if let last = applyText.split(separator: "\n").last, last.hasPrefix("APPLIED "), let index = Int(last.dropFirst(8)) {
            record.result.appliedWith = commands.indices.contains(index - 1) ? commands[index - 1] : "already applied"
        }
        record.log += ">>>>> Applied Patch (pred)\n"
        if !task.bugPatch.isEmpty, let touched = try? PatchFiles(parsing: patch), !touched.testFiles.isEmpty {
            let restore = BugPatch.restoreTestsScript(repoRoot: task.repoRoot, files: touched.testFiles)
            let reset = try await sandbox.client.exec(container: sandbox.containerID, ["bash", "-c", restore], timeout: .seconds(120))
            record.log += ">>>>> Restored test files the patch touched\n" + reset.output.stdoutText + reset.output.stderrText
        }
        return true
    }

    /// Runs `/eval.sh` with the timeout and writes `test_output.txt`.
    private func runTests(_ task: TaskRow, in sandbox: Sandbox, timeout: Duration,
                          record: inout Record) async throws -> (output: String, timedOut: Bool) {
        let run = try await sandbox.client.exec(container: sandbox.containerID, ["bash", "-c", "/bin/bash /eval.sh 2>&1"], timeout: timeout)
        var output = run.output.stdoutText + run.output.stderrText
        if run.timedOut {
            record.result.timedOut = true
            output += "\n\(EvalMarkers.testsTimedOut)\nTimeout error: \(Self.timeoutSeconds(timeout)) seconds exceeded.\n"
        }
        record.files.write("test_output.txt", output)
        record.result.testOutput = output
        record.lap(.tests)
        return (output, run.timedOut)
    }

    /// Grades the test log and writes `report.json` and `run_instance.log`.
    private func gradeTests(_ task: TaskRow, run: (output: String, timedOut: Bool), mode: GradingMode?,
                            record: inout Record) -> Result {
        let input = GradingInput(instanceID: task.instanceID, log: run.output, failToPass: task.failToPass,
                                 passToPass: task.passToPass, logParser: task.parser(mode: mode ?? .standard),
                                 patchApplied: true, timedOut: run.timedOut)
        let report = mode.map { Grader(rules: $0.rules).grade(input) } ?? grade(input)
        record.lap(.grade)
        return record.graded(report)
    }

    /// A setup step of the task's own tree failed (the tests never ran).
    private struct SetupFailure: Error {
        let reason: InfraFailureReason
        let message: String
    }

    static func infraReason(_ error: any Error) -> InfraFailureReason {
        switch error {
        case SandboxError.imageMissing: .imageMissing
        case DockerError.transport: .engineUnavailable
        default: .containerUnavailable
        }
    }
}
