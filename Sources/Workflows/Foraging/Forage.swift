import DockerEngine
import ForagerSupport
import Foundation
import Grading
import Sandbox
import Tasks

/// Mutate-fix task synthesis for one repository (ForagerAgent's pipeline, SWE-smith's validation):
/// 1. in one container, trace which functions passing tests execute and enumerate mutations of
///    them (Forager's Python helper, `ast`), while a reference run records every test's status;
/// 2. pick `mutations` of them across the operators (seeded; the helper checks only those);
/// 3. validate each in a fresh container with Grading's evaluator: kept when ≥1 previously passing
///    test fails (FAIL_TO_PASS) and ≥1 still passes (PASS_TO_PASS); identical diffs once; with
///    `TestScope.covering` only the test files that executed the mutated function run, and the
///    row's test command is that narrowed command;
/// 4. check that the gold patch (the mutation's reverse) resolves the row.
public struct Forage: Sendable {
    public struct Options: Sendable {
        public var mutations: Int
        public var workers: Int
        public var seed: UInt64
        public var runID: String
        /// Validation logs go to `<logs>/forage/<run id>/`.
        public var logsDirectory: URL
        /// Seconds a validation run may take; nil: the spec's, else 5× the reference run + 30 s (≥ 60 s).
        public var testTimeout: Double?
        /// Grade every kept row's gold patch before writing it (drop those that do not resolve).
        public var goldCheck: Bool
        /// Which tests a validation runs (and the row is graded on).
        public var tests: TestScope

        public init(mutations: Int = 40, workers: Int = 2, seed: UInt64 = 0, runID: String,
                    logsDirectory: URL = URL(fileURLWithPath: "logs"), testTimeout: Double? = nil, goldCheck: Bool = true,
                    tests: TestScope = .covering) {
            self.mutations = max(0, mutations)
            self.workers = max(1, workers)
            self.seed = seed
            self.runID = runID
            self.logsDirectory = logsDirectory
            self.testTimeout = testTimeout
            self.goldCheck = goldCheck
            self.tests = tests
        }
    }

    public enum Event: Sendable {
        case phase(String)
        case analyzed(functions: Int, mutations: Int, byOperator: [String: Int])
        case reference(passing: Int, total: Int, seconds: Double)
        case validating(total: Int, duplicates: Int)
        case finished(Outcome)
    }

    /// What became of one selected mutation.
    public struct Outcome: Sendable {
        public var id: String
        public var mutation: Mutation
        /// Nil when dropped; `reason` says why.
        public var row: TaskRow?
        public var reason: String
        public var seconds: Double
    }

    public struct OperatorReport: Codable, Sendable {
        public var `operator`: MutationOperator
        public var family: MutationFamily
        /// Mutations the helper found for the candidate functions.
        public var candidates: Int
        /// Mutations applied and validated in a container.
        public var applied: Int
        /// Validated tasks.
        public var kept: Int
        /// Tasks with at least one resolved episode (filled by the caller that runs episodes).
        public var solved: Int
    }

    public struct Result: Sendable {
        public var baseCommit: String
        public var candidateFunctions: Int
        public var mutationsFound: Int
        public var referencePassing: Int
        public var rows: [TaskRow]
        public var outcomes: [Outcome]
        public var operators: [OperatorReport]
        public var seconds: Double
        public var secondsPerValidated: Double? { rows.isEmpty ? nil : seconds / Double(rows.count) }
    }

    public let client: DockerClient
    public let spec: RepoSpec
    public let options: Options
    let evaluator: InstanceEvaluator

    public init(client: DockerClient, spec: RepoSpec, options: Options) {
        self.client = client
        self.spec = spec
        self.options = options
        evaluator = InstanceEvaluator(client: client, grade: Grader.grade)
    }

    public func run(progress: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> Result {
        let started = ContinuousClock.now
        guard let parser = LogParsers.named(spec.logParser) else {
            throw ForageError.spec(spec.file, "field 'log_parser' names '\(spec.logParser)', not one of \(LogParsers.names.joined(separator: ", "))")
        }
        let pytestArguments = try spec.pytestArguments()
        progress(.phase("analysing \(spec.image): tracing the tests and enumerating mutations; reference run of the suite"))
        async let analysisResult = analyse(pytestArguments: pytestArguments)
        async let referenceResult = evaluator.evaluateTree(
            task: baseRow(id: "\(spec.name).reference"), runID: options.runID, directory: directory("reference"),
            timeout: .seconds(spec.timeout.map { max($0, 1800) } ?? 1800))
        let analysis = try await analysisResult
        let reference = await referenceResult

        guard reference.outcome != .infraFailure, let output = reference.testOutput, !reference.timedOut else {
            throw ForageError.reference(spec.image, reference.message ?? "the reference run timed out or could not run")
        }
        let statuses = parser.parse(Grader.testOutput(of: output))
        // Only tests the environment's baseline saw pass in both runs, and never its flaky ones, become
        // FAIL_TO_PASS or PASS_TO_PASS: a test whose id changes from run to run would "fail" every mutation.
        let passing = statuses.filter {
            $0.value == .passed && !spec.flakyTests.contains($0.key) && spec.baselinePassed?.contains($0.key) != false
        }.map(\.key).sorted()
        let referenceSeconds = reference.phases[.tests] ?? 0
        progress(.reference(passing: passing.count, total: statuses.count, seconds: referenceSeconds))
        guard !passing.isEmpty else { throw ForageError.reference(spec.image, "no test passes on the clean tree (\(statuses.count) parsed)") }
        progress(.analyzed(functions: analysis.functions, mutations: analysis.found.values.reduce(0, +), byOperator: analysis.found))

        // Diffs of the selected mutations; identical diffs validated once.
        let commit8 = String(analysis.head.prefix(8))
        var prepared: [(String, Mutation, SpanDiff)] = []
        var seenDiffs = Set<String>(), duplicates = 0
        for m in analysis.selected {
            guard let original = analysis.files[m.file] else { continue }
            let mutated = try EditApplication.apply(m.edits, to: original, file: m.file)
            guard EditApplication.fnv1a64(mutated) == m.mutatedFNV1a64 else {
                throw ForageError.helper("the mutated \(m.file) differs between the helper and Forager (\(m.note))")
            }
            let diff = try SpanDiff(path: m.file, original: original, edits: m.edits)
            let forward = diff.forward
            // Only the code under test is mutated, never the tests (the helper skips them too).
            guard (try? PatchFiles(parsing: forward))?.testFiles.isEmpty == true else { continue }
            guard seenDiffs.insert(forward).inserted else { duplicates += 1; continue }
            let hash = String(EditApplication.fnv1a64(Array(forward.utf8)).prefix(8))
            prepared.append(("\(spec.name).\(commit8).\(m.operator.rawValue)__\(hash)", m, diff))
        }
        progress(.validating(total: prepared.count, duplicates: duplicates))

        let timeout = options.testTimeout ?? spec.timeout ?? max(60, referenceSeconds * 5 + 30)
        let head = analysis.head
        let covering = options.tests == .covering ? CoveringTests(trace: analysis.trace, testCommand: spec.testCommand) : nil
        let outcomes = await withTaskGroup(of: (Int, Outcome).self) { group in
            var results: [(Int, Outcome)] = []
            var queue = prepared.enumerated().makeIterator()
            func launch() {
                guard let (index, item) = queue.next() else { return }
                group.addTask {
                    (index, await validate(id: item.0, mutation: item.1, diff: item.2, head: head, passing: passing,
                                           selection: covering?.selection(for: item.1), timeout: .milliseconds(Int64(timeout * 1000))))
                }
            }
            for _ in 0..<options.workers { launch() }
            for await result in group {
                results.append(result)
                progress(.finished(result.1))
                launch()
            }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }

        let rows = outcomes.compactMap(\.row)
        var operators: [OperatorReport] = []
        let found = analysis.found
        for op in MutationOperator.sorted {
            let applied = outcomes.filter { $0.mutation.operator == op }
            operators.append(OperatorReport(operator: op, family: op.family, candidates: found[op.rawValue] ?? 0,
                                            applied: applied.count, kept: applied.filter { $0.row != nil }.count, solved: 0))
        }
        let elapsed = ContinuousClock.now - started
        return Result(baseCommit: head, candidateFunctions: analysis.functions, mutationsFound: found.values.reduce(0, +),
                      referencePassing: passing.count, rows: rows, outcomes: outcomes, operators: operators,
                      seconds: elapsed.seconds)
    }

    // MARK: - Steps

    struct Analysis: Sendable {
        var head: String
        var functions: Int
        var found: [String: Int]
        var selected: [Mutation]
        var files: [String: [UInt8]]
        var trace: TraceResult
    }

    /// In one container: HEAD, the tracer, the mutation enumerator, and the files to mutate.
    func analyse(pytestArguments: [String]) async throws -> Analysis {
        let config = SandboxConfig(image: spec.image, repoRoot: spec.repoRoot, runID: options.runID,
                                   episodeID: "\(spec.name)-analysis", role: .forage, network: false, lifetime: .seconds(7200))
        let spec = self.spec, options = self.options
        return try await Sandbox.with(client: client, config: config) { sandbox in
            let id = sandbox.containerID
            let client = sandbox.client
            func run(_ cmd: [String], timeout: Duration = .seconds(3600)) async throws -> ExecResult {
                try await client.exec(container: id, cmd, workingDir: spec.repoRoot, timeout: timeout)
            }
            let headRun = try await run(["git", "rev-parse", "HEAD"])
            let head = headRun.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            guard headRun.exitCode == 0, head.count >= 8 else {
                throw ForageError.spec(spec.file, "\(spec.repoRoot) in \(spec.image) is not a git repository with a commit")
            }
            let helper = PythonHelper.mutation
            try await client.writeFile(container: id, path: helper.containerPath, contents: try helper.source())
            var trace = [spec.python, helper.containerPath, "trace", "--root", spec.repoRoot, "--out", "/tmp/forager-trace.json"]
            for d in spec.sourceDirectories { trace += ["--source", d] }
            let traced = try await run(trace + ["--"] + pytestArguments)
            guard let traceData = try await client.readFile(container: id, path: "/tmp/forager-trace.json"),
                  let traceResult = try? JSONDecoder().decode(TraceResult.self, from: traceData) else {
                throw ForageError.helper("tracing the tests failed (exit \(traced.exitCode.map(String.init) ?? "?")): "
                                         + String((traced.output.stderrText + traced.output.stdoutText).suffix(3000)))
            }
            guard !traceResult.functions.isEmpty else {
                throw ForageError.spec(spec.file, "no function under source_dirs \(spec.sourceDirectories) runs in a passing test")
            }
            let mutate = try await run([spec.python, helper.containerPath, "mutate", "--root", spec.repoRoot,
                                        "--candidates", "/tmp/forager-trace.json", "--out", "/tmp/forager-mutations.json",
                                        "--limit", "\(options.mutations)", "--seed", "\(options.seed)"])
            guard let listData = try await client.readFile(container: id, path: "/tmp/forager-mutations.json"),
                  let list = try? JSONDecoder().decode(MutationList.self, from: listData) else {
                throw ForageError.helper("enumerating mutations failed: " + String((mutate.output.stderrText).suffix(3000)))
            }
            let selected = list.mutations
            var files: [String: [UInt8]] = [:]
            for file in Set(selected.map(\.file)) {
                guard let data = try await client.readFile(container: id, path: spec.repoRoot + "/" + file) else {
                    throw ForageError.helper("cannot read \(file) from \(spec.image)")
                }
                files[file] = Array(data)
            }
            return Analysis(head: head, functions: traceResult.functions.count, found: list.found, selected: selected, files: files,
                            trace: traceResult)
        }
    }

    /// One mutation in a fresh container: the row when kept (and, with `goldCheck`, resolved by its gold patch).
    /// With a `selection`, only its test files run and the row's test command is the narrowed one.
    func validate(id: String, mutation: Mutation, diff: SpanDiff, head: String, passing allPassing: [String],
                  selection: CoveringTests.Selection?, timeout: Duration) async -> Outcome {
        let clock = ContinuousClock.now
        func done(_ row: TaskRow?, _ reason: String) -> Outcome {
            let d = ContinuousClock.now - clock
            return Outcome(id: id, mutation: mutation, row: row, reason: reason, seconds: d.seconds)
        }
        let bug = diff.forward, fix = diff.reverse
        var passing = allPassing, testCommand = spec.testCommand
        if let selection {
            let covered = allPassing.filter { selection.fileIDs.contains(String(CoveringTests.fileID(of: $0))) }
            // Ids the parser names differently from the tracer's files: the whole suite, as without a selection.
            if !covered.isEmpty {
                passing = covered
                testCommand = selection.command
            }
        }
        var probe = baseRow(id: id)
        probe.testCommand = testCommand
        probe.baseCommit = head
        probe.passToPass = passing
        let result = await evaluator.evaluate(task: probe, prediction: Prediction(instanceID: id, modelNameOrPath: "mutation", modelPatch: bug),
                                              runID: options.runID, directory: directory("validate/\(id)"), timeout: timeout)
        if result.timedOut { return done(nil, "tests timed out") }
        guard result.outcome != .infraFailure, let report = result.report else { return done(nil, "could not run: \(result.message ?? "")") }
        guard report.patchSuccessfullyApplied else { return done(nil, "the mutation did not apply") }
        if report.infraFailure == true { return done(nil, "invalid test run (\(report.infraFailureReason?.rawValue ?? ""))") }
        // Graded over `passing` only, so the baseline's flaky tests are never among them.
        let status = report.testsStatus?.passToPass ?? .init()
        guard !status.failure.isEmpty else { return done(nil, "no test failed") }
        guard !status.success.isEmpty else { return done(nil, "no test still passed") }

        var row = baseRow(id: id)
        row.testCommand = testCommand
        row.baseCommit = head
        row.patch = fix
        row.bugPatch = bug
        row.failToPass = status.failure
        row.passToPass = status.success
        row.problemStatement = ProblemStatement.make(failing: status.failure, testOutput: result.testOutput ?? "",
                                                     testCommand: testCommand, repoRoot: spec.repoRoot)
        row.extra = [
            "validation_tests": .string(testCommand == spec.testCommand ? TestScope.all.rawValue : TestScope.covering.rawValue),
            "mutation_operator": .string(mutation.operator.rawValue), "mutation_family": .string(mutation.family.rawValue),
            "mutation_file": .string(mutation.file), "mutation_function": .string(mutation.function),
            "mutation_note": .string(mutation.note), "forage_seed": .number(Double(options.seed)),
        ]
        if options.goldCheck {
            let gold = await evaluator.evaluate(task: row, prediction: Prediction(instanceID: id, modelNameOrPath: "gold", modelPatch: fix),
                                                runID: options.runID, directory: directory("gold/\(id)"), timeout: timeout)
            guard gold.outcome == .resolved else { return done(nil, "the gold patch does not resolve it (\(gold.outcome.rawValue))") }
        }
        return done(row, "kept: \(status.failure.count) FAIL_TO_PASS, \(status.success.count) PASS_TO_PASS")
    }

    func baseRow(id: String) -> TaskRow {
        TaskRow(instanceID: id, repo: spec.name, image: spec.image, repoRoot: spec.repoRoot, testCommand: spec.testCommand,
                logParser: spec.logParser)
    }

    func directory(_ sub: String) -> URL {
        options.logsDirectory.appendingPathComponent("forage").appendingPathComponent(options.runID).appendingPathComponent(sub)
    }
}

public enum ForageError: Error, Sendable, CustomStringConvertible {
    case spec(String, String)
    case reference(String, String)
    case helper(String)

    public var description: String {
        switch self {
        case .spec(let file, let why): return "\(file): \(why)"
        case .reference(let image, let why): return "reference run of the tests in \(image): \(why)"
        case .helper(let why): return "mutation helper: \(why)"
        }
    }
}
