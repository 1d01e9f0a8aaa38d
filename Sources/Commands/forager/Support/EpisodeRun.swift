import Agent
import DockerEngine
import Runner
import Tasks
import Trajectories

/// The episode run `forager run` and `forager forage` share: the loop's configuration from the
/// flags and the backend, the sandbox limits, the run options, the trajectory store, the
/// coordinator and its live progress.
struct EpisodeRun {
    var backend: ModelBackendOptions.Backend
    var episodeOptions: EpisodeOptions
    var sandbox: SandboxOptions
    var db: String
    /// Prompt templates from `--prompt-dir`; nil: the built-in ones, shaped for the backend's model family.
    var templates: PromptTemplates? = nil
    /// Seconds the hidden tests may run at grading when a row sets no `timeout`.
    var gradeTimeout: Duration = .seconds(1800)
    /// Scores a submitted patch instead of the row's hidden tests (`env build --agent`).
    var evaluate: (@Sendable (TaskRow) -> Evaluator)? = nil

    struct Finished {
        var report: RunCoordinator.Report
        var store: TrajectoryStore
        var progress: RunProgress
    }

    /// Runs `samples` episodes of each row; `client` is connected here when not given.
    func run(_ rows: [TaskRow], runID: String?, samples: Int, workers: Int, resume: Bool = false, tasksFile: String,
             source: String = "run", client: DockerClient? = nil) async throws -> Finished {
        var episode = episodeOptions.config(backendContextLength: backend.contextLength, sandbox: sandbox)
        episode.stopAfterToolCall = backend.stopAfterToolCall
        let limits = try sandbox.config(image: "", repoRoot: "/", runID: "", role: .agent)  // image and ids per episode
        var options = RunCoordinator.Options(runID: runID, samples: samples, workers: workers, episode: episode, resume: resume,
                                             modelName: backend.name, backendKind: backend.kind, tasksFile: tasksFile,
                                             sandbox: limits, gradeTimeout: gradeTimeout, source: source)
        options.modelDetails = backend.details
        options.warm = sandbox.warm
        options.evaluate = evaluate
        let connected: DockerClient
        if let client { connected = client } else { connected = try await DockerClient.connect() }
        let store = try await TrajectoryStore.open(at: db)
        let coordinator = RunCoordinator(
            client: connected, store: store, databasePath: db, model: backend.model, format: backend.format, templates: templates ?? PromptTemplates.builtIn.shaped(for: backend.promptFamily),
            options: options)
        let progress = RunProgress()
        let report = try await coordinator.run(tasks: rows) { progress.handle($0) }
        // After a signal, the summary waits until the run's containers are gone.
        await InterruptCleanup.waitIfInterrupted()
        progress.finish()
        return Finished(report: report, store: store, progress: progress)
    }
}
