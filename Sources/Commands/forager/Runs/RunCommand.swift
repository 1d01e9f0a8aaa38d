import Agent
import ArgumentParser
import DockerEngine
import Foundation
import Inference
import Replay
import Runner
import Tasks
import Trajectories

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run agent episodes on tasks, record every step, and grade the submitted patches.",
        discussion: """
            Each episode drives the model through CWM's bash / edit / create / submit loop in its own \
            sandbox (created on the first well-formed tool call). Every step is committed to the \
            trajectory database before the next model call; the final patch is graded with the task's \
            hidden tests in a fresh container. After a crash, --resume with the same --run-id finishes \
            the run without duplicating episodes. Episode ids are what forager export takes.
            """
    )

    @Option(help: "Task rows (SWE-bench JSONL, JSON list or dict).")
    var tasks: String

    @OptionGroup(title: "Model") var backend: ModelBackendOptions

    @Option(name: .customLong("replay-run"), help: "Play back the model outputs recorded by this run (in --db), one sample per instance, instead of a model.")
    var replayRun: String?

    @Option(name: .customLong("instance-ids"), parsing: .upToNextOption, help: "Only these instances.")
    var instanceIDs: [String] = []

    @Option(help: "Episodes per task.")
    var samples = 1

    @Option(help: "Episodes at once.")
    var workers = 1

    @OptionGroup(title: "Episodes") var episodeOptions: EpisodeOptions

    @Option(help: "A folder with environment.txt / issue.txt prompt templates to use instead of Forager's.")
    var promptDir: String?

    @Option(help: "Run id (default: generated).")
    var runID: String?

    @Flag(help: "Continue the run --run-id: finished episodes are kept, the rest run again.")
    var resume = false

    @Option(name: .customLong("grade-timeout"), help: "Seconds the hidden tests of one episode may run at grading (a row's own timeout wins, as in forager eval).")
    var gradeTimeout: Double = 1800

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @OptionGroup(title: "Sandbox limits") var sandbox: SandboxOptions

    @Flag(help: "Print {run_id, episodes, submitted, resolved, errors, turns, tool_calls, db, episode_ids} as JSON.")
    var json = false

    @OptionGroup var images: OfficialImageOptions

    @OptionGroup(title: "Cluster") var clusterOptions: ClusterOptions

    func validate() throws {
        if replayRun != nil && (backend.scripted != nil || backend.usesEndpoint) {
            throw ValidationError("--replay-run plays back a stored run: give no --scripted or --endpoint with it.")
        }
        if resume && runID == nil { throw ValidationError("--resume needs --run-id.") }
        guard gradeTimeout > 0 else { throw ValidationError("--grade-timeout must be a positive number of seconds.") }
    }

    func run() async throws {
        var rows = images.apply(try TaskLoader.load(tasks))
        if !instanceIDs.isEmpty {
            let wanted = Set(instanceIDs)
            let unknown = wanted.subtracting(rows.map(\.instanceID))
            guard unknown.isEmpty else { throw CommandFailure("Not in \(tasks): \(unknown.sorted().joined(separator: ", "))") }
            rows = rows.filter { wanted.contains($0.instanceID) }
        }
        let chosen: ModelBackendOptions.Backend
        if let replayRun {
            chosen = try await backend.replayBackend(run: replayRun, db: db)
        } else {
            chosen = try backend.makeBackend(episode: episodeOptions.config(backendContextLength: nil, sandbox: sandbox))
        }
        if let script = chosen.model as? ScriptedModel, let scriptPath = backend.scripted {
            let missing = script.unscripted(rows.map(\.instanceID))
            guard missing.isEmpty else {
                throw CommandFailure("""
                    \(scriptPath) has no line for \(missing.count) task(s) of \(tasks): \(missing.prefix(10).joined(separator: ", "))\
                    \(missing.count > 10 ? ", …" : ""); add their lines or choose tasks with --instance-ids.
                    """)
            }
        }
        let templates = try promptDir.map { try PromptTemplates.load(directory: URL(fileURLWithPath: $0)) }
        let client = try await DockerClient.connect()
        try await RecipeImages.buildMissing(rows.map(\.image), client: client)
        try await ImagePuller(client: client).ensure(rows.map(\.image)) { Output.progress("\($0)\n") }
        let episodeRun = EpisodeRun(backend: chosen, episodeOptions: episodeOptions, sandbox: sandbox, db: db,
                                    templates: templates, gradeTimeout: .milliseconds(Int64(gradeTimeout * 1000)))
        let finished = try await clusterOptions.placing(manager: client, registry: images.registry) {
            try await episodeRun.run(rows, runID: runID, samples: samples, workers: workers, resume: resume, tasksFile: tasks, client: client)
        }
        let report = finished.report, progress = finished.progress
        let speed = progress.tokensPerSecond.map { String(format: "%.1f tok/s generated", $0) }
        if json {
            try Output.json(report)
        } else {
            printTable(report, model: chosen.name + (speed.map { " (\($0))" } ?? ""))
        }
        if report.unrecorded > 0 {
            throw CommandFailure("""
                \(report.unrecorded) episode(s) of run \(report.runID) could not be recorded in \(db) (the errors are above); \
                free space or fix the database, then run the same command with --resume --run-id \(report.runID).
                """)
        }
    }

    private func printTable(_ report: RunCoordinator.Report, model: String) {
        print(Output.table([
            ["run", report.runID],
            ["episodes", "\(report.episodes)"],
            ["submitted", "\(report.submitted)"],
            ["resolved", "\(report.resolved)"],
            ["errors", "\(report.errors)"],
            ["turns", "\(report.turns) (\(report.toolCalls) well-formed tool calls)"],
            ["model", model],
            ["trajectories", "\(report.db) (forager export --run \(report.runID) --format cwm|mini|preds)"],
        ]))
    }
}

/// `forager run`'s progress: submitted, resolved and errors beside done/total, the ETA and the
/// model's speed (tokens generated per second of model time, over the whole run).
final class RunProgress: @unchecked Sendable {
    private let status = LiveStatus(prefix: "run")
    private let lock = NSLock()
    private var submitted = 0, resolved = 0, errors = 0
    private var modelTokens = 0, modelSeconds = 0.0

    func handle(_ event: RunCoordinator.Event) {
        switch event {
        case .started(let runID, let episodes, let alreadyDone):
            status.begin(total: episodes, skipped: alreadyDone,
                         note: "\(runID): \(episodes) episodes" + (alreadyDone > 0 ? ", \(alreadyDone) already finished" : ""))
        case .episodeFinished(let id, let sample, let result):
            let counts = tally(submitted: result.lastSubmittedPatch != nil, resolved: result.passed, error: result.termination == .dropped)
            // A dropped episode says why (the image missing, the engine gone), not only that it was.
            let why = result.termination == .dropped ? ": " + (result.failures.last ?? result.message) : ""
            status.advance("\(id)#\(sample): \(result.termination.rawValue), \(result.steps) steps, \(result.passed ? "resolved" : "not resolved")\(why)", counts: counts)
        case .episodeFailed(let id, let sample, let message):
            status.advance("\(id)#\(sample): error: \(message)", counts: tally(submitted: false, resolved: false, error: true))
        case .modelTurn(let tokens, let seconds):
            let counts = lock.withLock {
                modelTokens += tokens
                modelSeconds += seconds
                return countsLocked()
            }
            status.refresh(counts: counts)
        }
    }

    func finish() { status.finish(counts: tally(submitted: false, resolved: false, error: false)) }

    /// Generated tokens per second of model time so far, nil before the first timed turn.
    var tokensPerSecond: Double? {
        lock.withLock { modelSeconds > 0 ? Double(modelTokens) / modelSeconds : nil }
    }

    private func tally(submitted s: Bool, resolved r: Bool, error e: Bool) -> String {
        lock.withLock {
            if s { submitted += 1 }
            if r { resolved += 1 }
            if e { errors += 1 }
            return countsLocked()
        }
    }

    private func countsLocked() -> String {
        var text = "\(submitted) submitted, \(resolved) resolved, \(errors) errors"
        if modelSeconds > 0 { text += String(format: ", model %.1f tok/s", Double(modelTokens) / modelSeconds) }
        return text
    }
}
