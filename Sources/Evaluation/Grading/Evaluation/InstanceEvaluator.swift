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
        public var phases: [String: Double]
        public var message: String?
        /// The whole test output (`test_output.txt`) when the tests ran.
        public var testOutput: String?
    }

    public let client: DockerClient
    public let grade: @Sendable (GradingInput) -> InstanceReport
    /// Limits of the grading container (network stays off).
    public var memoryBytes: Int64 = 8 << 30
    public var cpus: Double = 2.0

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
        var result = Result(instanceID: task.instanceID, outcome: .unresolved, report: nil, timedOut: false, appliedWith: nil, phases: [:])
        var log = "instance \(task.instanceID), model \(model), run \(runID), image \(task.image)\n"
        let files = Files(directory: directory)
        if let patch { files.write("patch.diff", patch) }
        let testPatchFiles = try? PatchFiles(parsing: task.testPatch)
        let script = EvalScript.make(for: task, testPatchFiles: testPatchFiles)
        files.write("eval.sh", script)

        var clock = ContinuousClock.now
        func lap(_ phase: String) {
            let now = ContinuousClock.now
            let d = now - clock
            result.phases[phase] = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            clock = now
        }

        let timeoutSeconds = max(1, timeout.components.seconds)
        let config = SandboxConfig(image: task.image, repoRoot: task.repoRoot, runID: runID, episodeID: task.instanceID,
                                   role: .grade, memoryBytes: memoryBytes, cpus: cpus, network: false,
                                   lifetime: .seconds(timeoutSeconds + 600))
        let sandbox: Sandbox
        do {
            sandbox = try await Sandbox.start(client: client, config: config)
        } catch {
            return infraFailure(result, reason: Self.infraReason(error), message: "\(error)", log: log, files: files)
        }
        lap("container")
        if let problem = await RepoRootCheck.problem(client: client, containerID: sandbox.containerID, task: task) {
            await sandbox.close()
            return infraFailure(result, reason: RepoRootCheck.reason, message: problem, log: log, files: files)
        }

        do {
            do {
                if try await BaseCommit.checkout(task: task, client: client, containerID: sandbox.containerID) {
                    log += ">>>>> Checked out base_commit \(task.baseCommit)\n"
                }
            } catch {
                await sandbox.close()
                return infraFailure(result, reason: "base_commit_failed", message: "\(error)", log: log, files: files)
            }
            do {
                try await BugPatch.apply(task: task, client: client, containerID: sandbox.containerID, commit: false)
            } catch {
                await sandbox.close()
                return infraFailure(result, reason: "bug_patch_failed", message: error.description, log: log, files: files)
            }
            if !task.bugPatch.isEmpty { log += ">>>>> Applied Bug Patch\n" }
            try await client.writeFile(container: sandbox.containerID, path: "/eval.sh", contents: Data(script.utf8), mode: 0o755)
            if let patch {
                try await client.writeFile(container: sandbox.containerID, path: "/tmp/patch.diff", contents: Data(patch.utf8))
                let apply = try await client.exec(container: sandbox.containerID,
                                                  ["bash", "-c", PatchApplyCascade.script(repoRoot: task.repoRoot, patchPath: "/tmp/patch.diff")],
                                                  timeout: .seconds(300))
                let applyText = apply.output.stdoutText + apply.output.stderrText
                log += applyText
                lap("apply")
                if apply.exitCode != 0 {
                    // Not applied: graded as such, nothing run (SWE-bench's "Patch Apply Failed").
                    let report = InstanceReport(patchSuccessfullyApplied: false, resolved: false)
                    result.report = report
                    result.message = applyText
                    files.write("run_instance.log", log)
                    files.writeReport(task.instanceID, report)
                    await sandbox.close()
                    return result
                }
                if let last = applyText.split(separator: "\n").last, last.hasPrefix("APPLIED "), let index = Int(last.dropFirst(8)) {
                    result.appliedWith = PatchApplyCascade.commands[index - 1]
                }
                log += ">>>>> Applied Patch (pred)\n"
                // A mutate-fix task has no test patch to restore the tests from: the test files the
                // prediction touched go back to the task's tree, so editing a test never resolves.
                if !task.bugPatch.isEmpty, let touched = try? PatchFiles(parsing: patch), !touched.testFiles.isEmpty {
                    let restore = BugPatch.restoreTestsScript(repoRoot: task.repoRoot, files: touched.testFiles)
                    let reset = try await client.exec(container: sandbox.containerID, ["bash", "-c", restore], timeout: .seconds(120))
                    log += ">>>>> Restored test files the patch touched\n" + reset.output.stdoutText + reset.output.stderrText
                }
            }

            let run = try await client.exec(container: sandbox.containerID, ["bash", "-c", "/bin/bash /eval.sh 2>&1"], timeout: timeout)
            var output = run.output.stdoutText + run.output.stderrText
            if run.timedOut {
                result.timedOut = true
                output += "\n\(EvalMarkers.testsTimedOut)\nTimeout error: \(timeoutSeconds) seconds exceeded.\n"
            }
            files.write("test_output.txt", output)
            result.testOutput = output
            lap("tests")

            let report = grade(GradingInput(instanceID: task.instanceID, log: output, failToPass: task.failToPass,
                                            passToPass: task.passToPass, logParser: task.logParser,
                                            patchApplied: true, timedOut: run.timedOut))
            lap("grade")
            result.report = report
            result.outcome = report.resolved ? .resolved : .unresolved
            files.writeReport(task.instanceID, report)
            files.write("run_instance.log", log)
            await sandbox.close()
            return result
        } catch {
            await sandbox.close()
            return infraFailure(result, reason: Self.infraReason(error), message: "\(error)", log: log, files: files)
        }
    }

    private func infraFailure(_ result: Result, reason: String, message: String, log: String, files: Files) -> Result {
        var r = result
        r.outcome = .infraFailure
        r.message = message
        let report = InstanceReport(patchSuccessfullyApplied: false, resolved: false, infraFailure: true, infraFailureReason: reason)
        r.report = report
        files.write("run_instance.log", log + "infrastructure failure (\(reason)): \(message)\n")
        files.writeReport(result.instanceID, report)
        return r
    }

    /// The reasons Forager itself gives when it could not evaluate (the tests never ran). The
    /// grader's own `infra_failure` flags (a test exit code that contradicts the log, no tests
    /// collected) describe a run that happened: those stay model failures, as in SWE-bench v5.
    public static let infrastructureReasons: Set<String> = ["image_missing", "engine_unavailable", "container_unavailable",
                                                            RepoRootCheck.reason]

    static func infraReason(_ error: any Error) -> String {
        switch error {
        case SandboxError.imageMissing: return "image_missing"
        case DockerError.transport: return "engine_unavailable"
        default: return "container_unavailable"
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
