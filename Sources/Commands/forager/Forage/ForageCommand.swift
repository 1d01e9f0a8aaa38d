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
            only if the gold patch (the mutation's reverse) resolves the row. With --tests covering \
            (the default) a validation runs only the test files whose passing tests executed the \
            mutated function, and the row's test_cmd names those files (as SWE-bench runs the files \
            of a test patch); --tests all runs the whole suite each time. Rows are appended to the \
            tasks file as they are kept, so a run stopped early keeps them. Rows carry the bug as \
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
    var mode: ForageMode = .mutateFix

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

    @Option(help: """
        mutate-fix: which tests a validation runs and the row is graded on. covering: the test files whose \
        passing tests executed the mutated function (traced; the row's test_cmd names them); all: the whole suite.
        """)
    var tests: TestScope = .covering

    @OptionGroup(title: "Episodes") var episodeOptions: EpisodeOptions

    @OptionGroup(title: "Sandbox limits (episodes)") var sandbox: SandboxOptions

    @Flag(help: "Print {candidates, validated, tasks_file, episodes, resolved, …} as JSON.")
    var json = false

    @OptionGroup(title: "Cluster") var clusterOptions: ClusterOptions

    @Option(help: "Registry HOST:PORT the swarm's nodes pull the repository image from (--cluster swarm): it is pushed there and named by digest.")
    var registry: String?

    func validate() throws {
        if gitDir != nil && mode != .issueFix { throw ValidationError("--git-dir is for --mode issue-fix.") }
        guard mutations >= 1 else { throw ValidationError("--mutations must be at least 1.") }
        guard samples >= 0 else { throw ValidationError("--samples must be 0 or more.") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1.") }
    }

    func run() async throws {
        let spec = try RepoSpec.load(repo)
        let runID = self.runID ?? "forage-\(spec.name)-\(EvalCommand.timestampRunID())"
        let tasksFile = out ?? "tasks-\(spec.name)-\(runID).jsonl"
        let client = try await DockerClient.connect()
        try await RecipeImages.buildMissing([spec.image], client: client)
        try await clusterOptions.placing(manager: client, registry: registry) {
            switch mode {
            case .mutateFix: try await runMutateFix(spec: spec, runID: runID, tasksFile: tasksFile, client: client)
            case .issueFix: try await runIssueFix(spec: spec, runID: runID, tasksFile: tasksFile, client: client)
            }
        }
    }

    /// `--mode mutate-fix`: tasks from validated mutations, a per-operator report, then episodes.
    func runMutateFix(spec: RepoSpec, runID: String, tasksFile: String, client: DockerClient) async throws {
        let forage = Forage(client: client, spec: spec, options: .init(
            mutations: mutations, workers: workers, seed: seed, runID: runID, logsDirectory: URL(fileURLWithPath: logsDir),
            testTimeout: testTimeout, goldCheck: !noGoldCheck, tests: tests))
        let progress = ForageProgress()
        let rowsFile = try TaskRowsFile(path: tasksFile)
        var result = try await forage.run { event in
            progress.handle(event)
            if case .finished(let outcome) = event, let row = outcome.row { rowsFile.append(row) }
        }
        progress.finish()

        var report: RunCoordinator.Report?
        if let (finished, solvedIDs) = try await writeAndRunEpisodes(result.rows, spec: spec, runID: runID, rowsFile: rowsFile,
                                                                     client: client) {
            report = finished
            for i in result.operators.indices {
                let op = result.operators[i].operator.rawValue
                result.operators[i].solved = result.rows.filter {
                    $0.extra["mutation_operator"]?.stringValue == op && solvedIDs.contains($0.instanceID)
                }.count
            }
        }

        let families = Set(result.rows.compactMap { $0.extra["mutation_family"]?.stringValue }).sorted()
        let summary = ForageSummary(
            spec: spec, runID: runID, commit: result.baseCommit, candidates: result.candidateFunctions, validated: result.rows.count,
            tasksFile: tasksFile, seconds: result.seconds, secondsPerValidated: result.secondsPerValidated, report: report, db: db,
            details: .mutateFix(mutationsFound: result.mutationsFound, mutationsValidated: result.outcomes.count,
                                families: families, operators: result.operators))
        if json { return try Output.json(summary) }
        var table = [["operator", "family", "candidates", "applied", "kept", "solved"]]
        for o in result.operators where o.candidates > 0 || o.applied > 0 {
            table.append([o.operator.rawValue, o.family.rawValue, "\(o.candidates)", "\(o.applied)", "\(o.kept)", samples > 0 ? "\(o.solved)" : "-"])
        }
        print(Output.table(table))
        print("")
        print(summary.table([
            ["candidate functions", "\(result.candidateFunctions) executed by passing tests (\(result.referencePassing) passing tests)"],
            ["mutations", "\(result.mutationsFound) found, \(result.outcomes.count) validated"],
            ["validated tasks", "\(result.rows.count) across \(families.count) \(families.count == 1 ? "family" : "families") (\(families.joined(separator: ", ")))"],
        ], logsDir: logsDir))
    }

    /// Writes the rows to the tasks file in order, then runs --samples episodes per row (stored with
    /// source forage:<repo>): the run's report and the ids of the rows an episode resolved; nil when no episode runs.
    func writeAndRunEpisodes(_ rows: [TaskRow], spec: RepoSpec, runID: String, rowsFile: TaskRowsFile,
                             client: DockerClient) async throws -> (RunCoordinator.Report, Set<String>)? {
        try rowsFile.finish(rows)
        let tasksFile = rowsFile.path
        guard samples > 0, !rows.isEmpty else { return nil }
        let chosen = try backend.makeBackend(episode: episodeOptions.config(backendContextLength: nil, sandbox: sandbox))
        let finished = try await EpisodeRun(backend: chosen, episodeOptions: episodeOptions, sandbox: sandbox, db: db)
            .run(rows, runID: runID, samples: samples, workers: workers, tasksFile: tasksFile, source: "forage:\(spec.name)",
                 client: client)
        let solvedIDs = Set(try await finished.store.episodes(run: finished.report.runID).filter { $0.passed == true }.map(\.instanceID))
        return (finished.report, solvedIDs)
    }
}

extension ForageMode: ExpressibleByArgument {}
extension TestScope: ExpressibleByArgument {}
