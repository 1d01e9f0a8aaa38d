import DockerEngine
import ForagerSupport
import Foraging
import Foundation
import Grading
import Sandbox
import Tasks
import Trajectories

/// `forager trace --tasks`: for a mutate-fix or issue-fix row, its FAIL_TO_PASS tests traced at
/// the bug (the image's tree, plus `bug_patch`, plus `test_patch`) and again with the gold fix
/// (`patch`) applied: traces start at the functions whose lines the gold patch changes (its old
/// side in the bug's tree, its new side with the fix), one per (function, test) in each variant,
/// kept whether the test passed or not. A bug trace and a fix trace of the
/// same function, test and call are a pair; where their frames first differ is where the fix
/// changes the state.
public struct TaskTracing: Sendable {
    public struct Pair: Sendable, Equatable {
        public var test: String?
        public var file: String
        public var function: String
        public var bugTrace: String
        public var fixTrace: String
        /// Index of the first frame that differs (nil: identical traces).
        public var divergesAt: Int?
    }

    public struct Result: Sendable {
        public var instanceID: String
        public var commit: String
        public var records: [TraceRecord]
        public var pairs: [Pair]
        /// FAIL_TO_PASS tests that passed at the bug and with the fix (a sound row: none, and all).
        public var passedAtBug: Int
        public var passedWithFix: Int
        public var tests: Int
        public var tracedSeconds: Double
        /// Where the traces start.
        public var entries: Entries
    }

    /// Where the traces of a task start.
    public enum Entries: String, Sendable, Codable {
        /// At the functions whose lines the gold patch changes.
        case changedFunctions = "changed_functions"
        /// The patch changes no function's lines (module-level code): at any function of the
        /// changed files.
        case changedFiles = "changed_files"
    }

    public var client: DockerClient
    public var task: TaskRow
    public var python: String
    public var limits: TraceLimits
    public var batch: String
    public var timeout: Duration

    public init(client: DockerClient, task: TaskRow, python: String = "python3", limits: TraceLimits = .init(),
                batch: String, timeout: Duration = .seconds(1800)) {
        self.client = client
        self.task = task
        self.python = python
        self.limits = limits
        self.batch = batch
        self.timeout = timeout
    }

    /// The pytest arguments that run only `tests`: the options of the row's `pytest …` test
    /// command (its test paths dropped), then the test ids.
    public static func pytestArguments(testCommand: String?, tests: [String], instanceID: String) throws(TracingError) -> [String] {
        guard let command = testCommand, !command.isEmpty else {
            throw .input(instanceID, "the row has no test_cmd; --tasks traces rows whose tests run with `pytest …` (mutate-fix and issue-fix rows from `forager forage`)")
        }
        let words: [String]
        switch PytestCommand.arguments(command) {
        case .success(let found): words = found
        case .failure(.shellSyntax):
            throw .input(instanceID, "test_cmd must be a plain pytest command to trace (no quoting or shell syntax): '\(command)'")
        case .failure(.notPytest):
            throw .input(instanceID, "test_cmd must start with `pytest` or `python -m pytest` to trace: '\(command)'")
        }
        // Options whose value is the next word; any other word that is not an option is a test path.
        let takesValue: Set<String> = ["-p", "-k", "-m", "-c", "-o", "-W", "--rootdir", "--confcutdir", "--basetemp",
                                       "--import-mode", "--tb", "--capture", "--override-ini", "--deselect", "--ignore"]
        var options: [String] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            if takesValue.contains(word), i + 1 < words.count {
                if word != "-k" && word != "--deselect" { options += [word, words[i + 1]] }
                i += 2
                continue
            }
            if word.hasPrefix("-") { options.append(word) }
            i += 1
        }
        return options + tests
    }

    public func run() async throws -> Result {
        let task = self.task
        guard !task.failToPass.isEmpty else { throw TracingError.input(task.instanceID, "the row has no FAIL_TO_PASS tests to trace") }
        guard !task.patch.isEmpty else { throw TracingError.input(task.instanceID, "the row has no gold patch to trace the fix with") }
        let sources: [String]
        let changed: ChangedLines
        do {
            let files = try PatchFiles(parsing: task.patch).sourceFiles
            sources = Array(Set(files.flatMap { [$0.oldPath, $0.newPath] }.filter { $0.hasSuffix(".py") })).sorted()
            changed = try ChangedLines(patch: task.patch)
        } catch let error as TracingError {
            throw TracingError.input(task.instanceID, error.description)
        } catch {
            throw TracingError.input(task.instanceID, "its gold patch is not a diff: \(error)")
        }
        guard !sources.isEmpty else { throw TracingError.input(task.instanceID, "its gold patch changes no Python source file (only tests or other files)") }
        let pytest = try Self.pytestArguments(testCommand: task.testCommand, tests: task.failToPass, instanceID: task.instanceID)
        let config = SandboxConfig(image: task.image, repoRoot: task.repoRoot, runID: batch, episodeID: "\(batch)-\(task.instanceID)",
                                   role: .forage, network: false, lifetime: .seconds(7200))
        let tracer = try TracerScript.source
        let python = self.python, limits = self.limits, batch = self.batch, timeout = self.timeout
        return try await Sandbox.with(client: client, config: config) { sandbox in
            let client = sandbox.client, id = sandbox.containerID
            func run(_ cmd: [String]) async throws -> ExecResult {
                try await client.exec(container: id, cmd, workingDir: task.repoRoot, timeout: timeout)
            }
            func apply(_ patch: String, _ what: String) async throws {
                let path = "/tmp/forager-trace-\(what).diff"
                try await client.writeFile(container: id, path: path, contents: Data(patch.utf8))
                let applied = try await run(["git", "apply", "--verbose", path])
                guard applied.exitCode == 0 else {
                    throw TracingError.run(task.instanceID, "its \(what) does not apply to the image's tree: "
                                           + String((applied.output.stdoutText + applied.output.stderrText).suffix(1500)))
                }
            }
            let head = try await run(["git", "rev-parse", "HEAD"])
            let commit = head.exitCode == 0 ? head.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            try await client.writeFile(container: id, path: TracerScript.containerPath, contents: tracer)
            if !task.bugPatch.isEmpty { try await apply(task.bugPatch, "bug_patch") }
            if !task.testPatch.isEmpty { try await apply(task.testPatch, "test_patch") }

            var command = [python, TracerScript.containerPath, "pytest", "--root", task.repoRoot, "--per-function",
                           "\(task.failToPass.count)", "--keep-failing", "1"] + limits.arguments
            for s in sources { command += ["--source", s] }
            var outputs: [(variant: String, output: TracerOutput)] = []
            var fileEntries: Set<String> = []
            let t0 = ContinuousClock.now
            for variant in ["bug", "fix"] {
                if variant == "fix" { try await apply(task.patch, "patch") }
                let out = "/tmp/forager-traces-\(variant).json"
                func traceTests(_ extra: [String]) async throws -> TracerOutput {
                    let traced = try await run(command + extra + ["--out", out, "--"] + pytest)
                    guard !traced.timedOut else { throw TracingError.run(task.instanceID, "the traced tests (\(variant)) timed out after \(timeout.seconds) s") }
                    guard let data = try await client.readFile(container: id, path: out) else {
                        throw TracingError.run(task.instanceID, "the tracer wrote no traces at the \(variant) (exit \(traced.exitCode.map(String.init) ?? "?")): "
                                               + String((traced.output.stderrText + traced.output.stdoutText).suffix(3000)))
                    }
                    return try TracerOutput.decode(data, what: "\(task.instanceID) (\(variant))")
                }
                // Traces start at the changed functions; a fix of module-level code (a constant,
                // a regular expression) changes none, and then at any function of the changed files.
                // Once the bug's traces fell back, the fix's start where they did, so that they pair.
                let lines = fileEntries.isEmpty ? changed.tracerArguments(variant == "bug" ? .old : .new, files: Set(sources)) : []
                var output = try await traceTests(lines)
                if output.traces.isEmpty && !lines.isEmpty {
                    let wider = try await traceTests([])
                    if !wider.traces.isEmpty {
                        output = wider
                        fileEntries.insert(variant)
                    }
                } else if lines.isEmpty && !fileEntries.isEmpty {
                    fileEntries.insert(variant)
                }
                outputs.append((variant, output))
            }
            let seconds = (ContinuousClock.now - t0).seconds
            var records: [TraceRecord] = []
            for (variant, output) in outputs {
                for (i, t) in output.traces.enumerated() {
                    records.append(TraceRecord(
                        id: "\(batch).\(task.instanceID).\(variant).\(i)", batch: batch, kind: .task, repo: task.repo.isEmpty ? nil : task.repo,
                        commit: commit, taskID: task.instanceID, variant: variant, test: t.test, file: t.file, function: t.function,
                        line: t.line, codeLine: t.codeLine, entryCall: t.ordinal, context: output.context(of: t), cut: t.cut,
                        seconds: t.seconds, frames: t.frames))
                }
            }
            return Result(instanceID: task.instanceID, commit: commit, records: records, pairs: Self.pairs(records),
                          passedAtBug: outputs[0].output.passed ?? 0, passedWithFix: outputs[1].output.passed ?? 0,
                          tests: task.failToPass.count, tracedSeconds: seconds,
                          entries: fileEntries.isEmpty ? .changedFunctions : .changedFiles)
        }
    }

    /// Bug and fix traces of the same test, function and call, with the first frame that differs.
    public static func pairs(_ records: [TraceRecord]) -> [Pair] {
        func key(_ r: TraceRecord) -> String { "\(r.test ?? "")\u{0}\(r.file)\u{0}\(r.function)\u{0}\(r.entryCall ?? 0)" }
        let fixes = Dictionary(records.filter { $0.variant == "fix" }.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        return records.filter { $0.variant == "bug" }.compactMap { bug in
            guard let fix = fixes[key(bug)] else { return nil }
            // Line numbers shift wherever the fix adds or removes lines: frames are compared by
            // their kind, source, call structure, locals and value.
            func same(_ a: TraceFrame, _ b: TraceFrame) -> Bool {
                a.event == b.event && a.source == b.source && a.depth == b.depth && a.call == b.call && a.locals == b.locals
                    && a.value == b.value && a.file == b.file
            }
            let common = min(bug.frames.count, fix.frames.count)
            var at: Int? = (0..<common).first { !same(bug.frames[$0], fix.frames[$0]) }
            if at == nil && bug.frames.count != fix.frames.count { at = common }
            return Pair(test: bug.test, file: bug.file, function: bug.function, bugTrace: bug.id, fixTrace: fix.id, divergesAt: at)
        }
    }
}
