import Agent
import AgentTools
import DockerEnvironment
import DockerEngine
import Foundation
import Grading
import Sandbox
import Tasks
import Trajectories

/// `forager run`: K samples of every task, `workers` episodes at a time, each in its own sandbox,
/// every step committed to the trajectory store before the next model call, the final patch
/// graded with the task's hidden tests in a fresh container.
public struct RunCoordinator: Sendable {
    public struct Options: Sendable {
        public var runID: String?
        public var samples: Int
        public var workers: Int
        public var episode: EpisodeConfig
        public var resume: Bool
        public var modelName: String
        public var backendKind: String
        public var tasksFile: String
        /// The agent's sandbox limits (memory, swap, CPUs, pids, network); each episode fills in
        /// its image, repository, ids and lifetime.
        public var sandbox: SandboxConfig
        /// How long the hidden tests may run at grading when the row has no `timeout` of its own.
        public var gradeTimeout: Duration
        /// Where the episodes come from, stored with each (`run`; `forage:<repo>` for foraged tasks).
        public var source: String
        /// How the backend's token counts were made (`exact`, or an estimate and with what), and
        /// other facts about the backend (an endpoint's URL): stored in the run's configuration.
        /// Never put a secret here.
        public var modelDetails: [String: String] = [:]
        /// Warm sandboxes kept ready per image (`--warm N`; 0: every sandbox starts cold).
        public var warm = 0
        /// How a task's submitted patch is scored; nil: its hidden tests in a fresh container
        /// (`forager env build --agent` scores a set-up recipe by building the environment from it).
        public var evaluate: (@Sendable (TaskRow) -> Evaluator)? = nil

        public init(runID: String? = nil, samples: Int = 1, workers: Int = 1, episode: EpisodeConfig = .init(), resume: Bool = false,
                    modelName: String, backendKind: String, tasksFile: String,
                    sandbox: SandboxConfig = SandboxConfig(image: ""), gradeTimeout: Duration = .seconds(600), source: String = "run") {
            self.runID = runID
            self.samples = max(1, samples)
            self.workers = max(1, workers)
            self.episode = episode
            self.resume = resume
            self.modelName = modelName
            self.backendKind = backendKind
            self.tasksFile = tasksFile
            self.sandbox = sandbox
            self.gradeTimeout = gradeTimeout
            self.source = source
        }
    }

    public enum Event: Sendable {
        case started(runID: String, episodes: Int, alreadyDone: Int)
        case episodeFinished(instanceID: String, sample: Int, result: EpisodeResult)
        case episodeFailed(instanceID: String, sample: Int, message: String)
        /// A model turn: tokens generated and the seconds the model took (prompt and generation).
        case modelTurn(tokens: Int, seconds: Double)
    }

    public struct Report: Codable, Sendable {
        public var runID: String
        public var episodes: Int
        public var submitted: Int
        public var resolved: Int
        public var errors: Int
        /// Episodes whose outcome could not be written (counted in `errors` too): the run is then
        /// `failed`, not finished, and `--resume` completes it.
        public var unrecorded: Int
        /// Model turns over the episodes, and how many were a well-formed call of a known tool.
        public var turns: Int
        public var toolCalls: Int
        public var db: String
        public var episodeIDs: [String]

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", episodes, submitted, resolved, errors, unrecorded, turns, db
            case toolCalls = "tool_calls"
            case episodeIDs = "episode_ids"
        }
    }

    public let client: DockerClient
    public let store: TrajectoryStore
    public let databasePath: String
    public let model: any LanguageModel
    public let format: any ChatFormat
    public let templates: PromptTemplates
    public let options: Options

    public init(client: DockerClient, store: TrajectoryStore, databasePath: String, model: any LanguageModel,
                format: any ChatFormat, templates: PromptTemplates = .builtIn, options: Options) {
        self.client = client
        self.store = store
        self.databasePath = databasePath
        self.model = model
        self.format = format
        self.templates = templates
        self.options = options
    }

    public func run(tasks: [TaskRow], progress: @escaping @Sendable (Event) -> Void = { _ in }) async throws -> Report {
        let runID = try await openRun()
        let pairs = tasks.flatMap { task in (0..<options.samples).map { (task, $0) } }
        var pending: [(TaskRow, Int)] = []
        var done = 0
        for (task, sample) in pairs {
            let id = TrajectoryStore.episodeID(run: runID, instance: task.instanceID, sample: sample)
            if let existing = try? await store.episode(id), existing.episode.status.isFinal {
                done += 1
            } else {
                pending.append((task, sample))
            }
        }
        progress(.started(runID: runID, episodes: pairs.count, alreadyDone: done))
        let pool = options.warm > 0
            ? SandboxPool(client: client, size: options.warm) : nil

        // Episodes whose end could not be recorded (the loop or a store write threw: a full disk).
        let unrecorded = await withTaskGroup(of: Bool.self) { group -> Int in
            var queue = pending[...]
            func launch() {
                guard let (task, sample) = queue.popFirst() else { return }
                group.addTask {
                    do {
                        if let result = try await runEpisode(task, sample: sample, runID: runID, pool: pool, progress: progress) {
                            progress(.episodeFinished(instanceID: task.instanceID, sample: sample, result: result))
                        }
                        return false
                    } catch {
                        progress(.episodeFailed(instanceID: task.instanceID, sample: sample, message: "\(error)"))
                        return true
                    }
                }
            }
            for _ in 0..<options.workers { launch() }
            var failures = 0
            for await failed in group {
                if failed { failures += 1 }
                launch()
            }
            return failures
        }
        await pool?.drain()

        let interrupted = Task.isCancelled || ShutdownGate.isClosed
        try await store.finishRun(runID, status: interrupted ? .interrupted : unrecorded > 0 ? .failed : .finished)
        let counts = try await store.counts(run: runID)
        let episodes = try await store.episodes(run: runID)
        let tools = ToolSpecs.names(plugins: options.episode.plugins)
        let turns = try await store.turnCounts(run: runID, tools: tools)
        // A last turn that ran nothing because the turns ran out is still a well-formed call when it parses.
        let unexecutedCalls = turns.unexecuted.filter { text in
            (try? ToolCallParser.parseTurn(text, thinkingEnd: options.episode.thinkingEnd)).map { tools.contains($0.name) } ?? false
        }.count
        return Report(runID: runID, episodes: counts.episodes, submitted: counts.submitted, resolved: counts.resolved,
                      errors: counts.errors + unrecorded, unrecorded: unrecorded, turns: turns.turns,
                      toolCalls: turns.toolCalls + unexecutedCalls,
                      db: databasePath, episodeIDs: episodes.map(\.id))
    }

    private func openRun() async throws -> String {
        if options.resume {
            guard let id = options.runID else { throw RunError.resumeNeedsRunID }
            try await store.reopenRun(id)
            return id
        }
        let config = try RunConfiguration(options: options).encoded()
        let run = try await store.createRun(NewRun(id: options.runID, configJSON: config, modelName: options.modelName,
                                                   backendKind: options.backendKind, foragerVersion: ForagerVersion.current,
                                                   tasksFile: options.tasksFile))
        return run.id
    }

    /// One episode: recorded, sandboxed, graded. Nil when the store says it is already done.
    private func runEpisode(_ task: TaskRow, sample: Int, runID: String, pool: SandboxPool?,
                            progress: @escaping @Sendable (Event) -> Void) async throws -> EpisodeResult? {
        let taskJSON = Tasks.JSONValue.object(task.jsonObject).encoded()
        let newEpisode = NewEpisode(runID: runID, instanceID: task.instanceID, sampleIndex: sample, source: options.source, taskJSON: taskJSON)
        let start = try await store.startEpisode(newEpisode)
        if case .alreadyDone = start { return nil }
        let recorder = StoreRecorder(store: store, newEpisode: newEpisode, episodeID: start.episode.id) { step in
            progress(.modelTurn(tokens: step.action.tokens.count, seconds: step.action.prefillSeconds + step.action.decodeSeconds))
        }

        let makeEnvironment = EpisodeServices.environmentFactory(client: client, task: task, sandbox: options.sandbox,
                                                                 runID: runID, episodeID: start.episode.id, pool: pool)
        let evaluate = options.evaluate?(task) ?? EpisodeServices.evaluator(client: client, task: task, modelName: options.modelName, runID: runID,
                                                                            timeout: task.testTimeout(default: options.gradeTimeout))
        let runner = EpisodeRunner(config: options.episode, format: format, model: model, templates: templates,
                                   makeEnvironment: makeEnvironment, evaluate: evaluate, observer: recorder)
        let episodeTask = EpisodeServices.episodeTask(task, source: options.source, sample: sample)
        do {
            return try await runner.run(episodeTask)
        } catch {
            if Task.isCancelled { try? await store.markInterrupted(episode: await recorder.episodeID) }
            throw error
        }
    }
}

public enum RunError: Error, Sendable, CustomStringConvertible {
    case resumeNeedsRunID

    public var description: String {
        switch self {
        case .resumeNeedsRunID: return "--resume needs the --run-id of the run to continue"
        }
    }
}

public enum ForagerVersion {
    public static let current = "0.1.0"
}

extension RunConfiguration {
    /// The configuration a run stores: its options and the loop's settings.
    init(options: RunCoordinator.Options) {
        self.init(samples: options.samples, workers: options.workers, model: options.modelName,
                  backend: options.backendKind, modelDetails: options.modelDetails, episode: options.episode)
    }
}
