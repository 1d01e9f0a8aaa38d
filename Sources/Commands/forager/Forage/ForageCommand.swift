import Agent
import ArgumentParser
import DockerEngine
import Foraging
import Foundation
import Runner
import Tasks
import Trajectories

struct ForageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forage",
        abstract: "Synthesize and validate mutate-fix or issue-fix tasks from a repository, then run agent episodes on them.",
        discussion: """
            ForagerAgent's mutate-fix pipeline. In one container of the repository image, Forager's \
            Python helper traces which functions passing tests execute and enumerates mutations of \
            them with Python's ast (delete a body or a statement, remove a parameter, shuffle call \
            arguments, swap two variables, delete an import or a return, change a binary, unary, \
            boolean or comparison operator, change a constant by one, invert a condition); a reference \
            run records each test's status. --mutations of them, chosen across the operators with \
            --seed, are validated each in a fresh container: kept when a previously passing test \
            fails (FAIL_TO_PASS) and another still passes (PASS_TO_PASS), identical diffs once, and \
            only if the gold patch (the mutation's reverse) resolves the row. Rows carry the bug as \
            bug_patch on the repository image (applied at episode start and at grading). Then \
            --samples episodes per task run and are stored with source forage:<repo>.

            --mode issue-fix reads the repository's history instead (libgit2, on the image's \
            <repo_root>/.git copied out, or --git-dir): each non-merge commit that changes both \
            source (source_dirs) and tests becomes a candidate whose base_commit is the parent, \
            whose gold patch is the commit's source changes and whose test_patch its test changes. \
            At the parent, the tests run with the test patch, then with the gold patch too: \
            FAIL_TO_PASS fail before and pass after, PASS_TO_PASS pass in both; kept when \
            FAIL_TO_PASS is not empty and the gold patch resolves the row. The problem statement is \
            the commit message with the failing tests and their output.
            """
    )

    @Option(help: "Repository spec (JSON: name, image, repo_root, test_cmd, log_parser, source_dirs), e.g. Tasks/repos/toolz.json.")
    var repo: String

    @Option(help: "mutate-fix (mutations of the code at HEAD) or issue-fix (commits of the history that change source and tests).")
    var mode = "mutate-fix"

    @Option(help: "issue-fix: a host git directory to read the history from (default: <repo_root>/.git copied out of the image).")
    var gitDir: String?

    @Option(help: "Mutations to validate (mutate-fix).")
    var mutations = 40

    @Option(help: "Agent episodes per validated task (0: only synthesize).")
    var samples = 0

    @Option(help: "Containers at once (validation and episodes).")
    var workers = 2

    @Option(help: "Seed of the mutation selection.")
    var seed: UInt64 = 0

    @OptionGroup(title: "Model (episodes)") var backend: ModelBackendOptions

    @Option(help: "Where the task rows go (default: tasks-<repo>-<run id>.jsonl).")
    var out: String?

    @Option(help: "Run id of the synthesis logs and the episodes (default: generated).")
    var runID: String?

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @Option(help: "Where logs/forage/<run id>/ goes.")
    var logsDir = "logs"

    @Option(help: "Seconds one validation run of the tests may take (default: 5× the reference run + 30, at least 60).")
    var testTimeout: Double?

    @Flag(help: "Do not grade each kept row's gold patch before writing it.")
    var noGoldCheck = false

    @OptionGroup(title: "Episodes") var episodeOptions: EpisodeOptions

    @OptionGroup(title: "Sandbox limits (episodes)") var sandbox: SandboxOptions

    @Flag(help: "Print {candidates, validated, tasks_file, episodes, resolved, …} as JSON.")
    var json = false

    func validate() throws {
        guard mode == "mutate-fix" || mode == "issue-fix" else {
            throw ValidationError("--mode must be mutate-fix or issue-fix, not '\(mode)'.")
        }
        if gitDir != nil && mode != "issue-fix" { throw ValidationError("--git-dir is for --mode issue-fix.") }
        guard mutations >= 1 else { throw ValidationError("--mutations must be at least 1.") }
        guard samples >= 0 else { throw ValidationError("--samples must be 0 or more.") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }

    func run() async throws {
        let spec = try RepoSpec.load(repo)
        let runID = self.runID ?? "forage-\(spec.name)-\(EvalCommand.timestampRunID())"
        let tasksFile = out ?? "tasks-\(spec.name)-\(runID).jsonl"
        let client = try await DockerClient.connect()
        if mode == "issue-fix" {
            return try await runIssueFix(spec: spec, runID: runID, tasksFile: tasksFile, client: client)
        }
        let forage = Forage(client: client, spec: spec, options: .init(
            mutations: mutations, workers: workers, seed: seed, runID: runID, logsDirectory: URL(fileURLWithPath: logsDir),
            testTimeout: testTimeout, goldCheck: !noGoldCheck))
        let progress = ForageProgress()
        var result = try await forage.run { progress.handle($0) }
        progress.finish()
        try write(result.rows, to: tasksFile)

        var report: RunCoordinator.Report?
        if let (finished, solvedIDs) = try await runEpisodes(result.rows, spec: spec, runID: runID, tasksFile: tasksFile, client: client) {
            report = finished
            for i in result.operators.indices {
                let op = result.operators[i].operator
                result.operators[i].solved = result.rows.filter {
                    $0.extra["mutation_operator"]?.stringValue == op && solvedIDs.contains($0.instanceID)
                }.count
            }
        }

        let families = Set(result.rows.compactMap { $0.extra["mutation_family"]?.stringValue })
        if json {
            try Output.json(ForageSummary(
                repo: spec.name, image: spec.image, runID: runID, baseCommit: result.baseCommit,
                candidates: result.candidateFunctions, mutationsFound: result.mutationsFound,
                mutationsValidated: result.outcomes.count, validated: result.rows.count, families: families.sorted(),
                tasksFile: tasksFile, seconds: result.seconds, secondsPerValidated: result.secondsPerValidated,
                episodes: report?.episodes ?? 0, resolved: report?.resolved ?? 0, db: report == nil ? nil : db,
                operators: result.operators))
            return
        }
        var table = [["operator", "family", "candidates", "applied", "kept", "solved"]]
        for o in result.operators where o.candidates > 0 || o.applied > 0 {
            table.append([o.operator, o.family, "\(o.candidates)", "\(o.applied)", "\(o.kept)", samples > 0 ? "\(o.solved)" : "-"])
        }
        print(Output.table(table))
        print("")
        var summary = [
            ["repository", "\(spec.name) (\(spec.image) at \(result.baseCommit.prefix(12)))"],
            ["candidate functions", "\(result.candidateFunctions) executed by passing tests (\(result.referencePassing) passing tests)"],
            ["mutations", "\(result.mutationsFound) found, \(result.outcomes.count) validated"],
            ["validated tasks", "\(result.rows.count) across \(families.count) \(families.count == 1 ? "family" : "families") (\(families.sorted().joined(separator: ", ")))"],
            ["time", String(format: "%.0f s; %@ per validated task", result.seconds,
                            result.secondsPerValidated.map { String(format: "%.1f s", $0) } ?? "-")],
            ["tasks", tasksFile],
            ["logs", "\(logsDir)/forage/\(runID)/"],
        ]
        if let report {
            summary.append(["episodes", "\(report.episodes) (\(report.submitted) submitted, \(report.resolved) resolved, \(report.errors) errors)"])
            summary.append(["trajectories", "\(report.db) (forager export --run \(report.runID) --format cwm|mini|preds)"])
        }
        print(Output.table(summary))
    }

    /// Runs --samples episodes per row (stored with source forage:<repo>); nil when there is nothing to run.
    func runEpisodes(_ rows: [TaskRow], spec: RepoSpec, runID: String, tasksFile: String,
                     client: DockerClient) async throws -> (RunCoordinator.Report, Set<String>)? {
        guard samples > 0, !rows.isEmpty else { return nil }
        let chosen = try backend.makeBackend(episode: episodeOptions.config(backendContextLength: nil, sandbox: sandbox))
        let episode = episodeOptions.config(backendContextLength: chosen.contextLength, sandbox: sandbox)
        let limits = try sandbox.config(image: "", repoRoot: "/", runID: "", role: .agent)
        let store = try await TrajectoryStore.open(at: db)
        var options = RunCoordinator.Options(runID: runID, samples: samples, workers: workers, episode: episode,
                                             modelName: chosen.name, backendKind: chosen.kind, tasksFile: tasksFile,
                                             sandbox: limits, source: "forage:\(spec.name)")
        options.modelDetails = chosen.details
        let coordinator = RunCoordinator(
            client: client, store: store, databasePath: db, model: chosen.model, format: chosen.format,
            templates: PromptTemplates.builtIn.shaped(for: chosen.promptFamily), options: options)
        let runProgress = RunProgress()
        let finished = try await coordinator.run(tasks: rows) { runProgress.handle($0) }
        runProgress.finish()
        let solvedIDs = Set(try await store.episodes(run: finished.runID).filter { $0.passed == true }.map(\.instanceID))
        return (finished, solvedIDs)
    }

    func write(_ rows: [TaskRow], to path: String) throws {
        let text = rows.map { JSONValue.object($0.jsonObject).encoded() + "\n" }.joined()
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure("cannot write the tasks to \(path): \(error.localizedDescription)")
        }
    }
}

struct ForageSummary: Encodable {
    let repo: String, image: String, runID: String, baseCommit: String
    let candidates: Int, mutationsFound: Int, mutationsValidated: Int, validated: Int, families: [String]
    let tasksFile: String, seconds: Double, secondsPerValidated: Double?
    let episodes: Int, resolved: Int, db: String?
    let operators: [Forage.OperatorReport]

    enum CodingKeys: String, CodingKey {
        case repo, image, runID = "run_id", baseCommit = "base_commit", candidates, mutationsFound = "mutations_found"
        case mutationsValidated = "mutations_validated", validated, families, tasksFile = "tasks_file", seconds
        case secondsPerValidated = "seconds_per_validated", episodes, resolved, db, operators
    }
}

/// `forager forage`'s progress: the phases, then kept / dropped beside done/total and the ETA.
final class ForageProgress: @unchecked Sendable {
    private let status = LiveStatus(prefix: "forage")
    private let lock = NSLock()
    private var kept = 0, dropped = 0

    func handle(_ event: Forage.Event) {
        switch event {
        case .phase(let text):
            Output.progress("forage: \(text)\n")
        case .reference(let passing, let total, let seconds):
            Output.progress(String(format: "forage: reference run: %d of %d tests pass (%.1f s)\n", passing, total, seconds))
        case .analyzed(let functions, let mutations, let byOperator):
            let ops = byOperator.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            Output.progress("forage: \(functions) candidate functions, \(mutations) mutations (\(ops))\n")
        case .validating(let total, let duplicates):
            status.begin(total: total, skipped: 0,
                         note: "validating \(total) mutations" + (duplicates > 0 ? " (\(duplicates) identical diffs dropped)" : ""))
        case .finished(let outcome):
            let counts = lock.withLock { () -> String in
                if outcome.row != nil { kept += 1 } else { dropped += 1 }
                return "\(kept) kept, \(dropped) dropped"
            }
            status.advance(String(format: "%@: %@ (%.1f s)", outcome.id, outcome.reason, outcome.seconds), counts: counts)
        }
    }

    func finish() { status.finish(counts: lock.withLock { "\(kept) kept, \(dropped) dropped" }) }
}
