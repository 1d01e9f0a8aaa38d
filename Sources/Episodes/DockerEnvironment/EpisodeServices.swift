import Agent
import DockerEngine
import Foundation
import Grading
import Sandbox
import Tasks

/// The container side of an episode of `task`, as `forager run` provides it and `forager replay`
/// provides it again: the agent's sandbox (started from the task's image, git history scrubbed)
/// and the grading of a submitted patch in a fresh container.
public enum EpisodeServices {
    /// Starts the agent's sandbox from `sandbox` (limits) filled in with the task's image and
    /// repository, the ids and the episode's lifetime and session timeout. On a classic SWE-bench
    /// row the session shell activates the image's `testbed` environment, as the eval script does.
    /// With `pool` (`--warm N`) the sandbox comes from the warm pool: already scrubbed when the
    /// task needs nothing done to the tree first (no bug patch, its base at the image's HEAD).
    public static func environmentFactory(client: DockerClient, task: TaskRow, sandbox: SandboxConfig, runID: String,
                                          episodeID: String, image: String? = nil, pool: SandboxPool? = nil) -> EnvironmentFactory {
        { _, config in
            var sandboxConfig = sandbox
            sandboxConfig.image = image ?? task.image
            sandboxConfig.repoRoot = task.repoRoot
            sandboxConfig.runID = runID
            sandboxConfig.episodeID = episodeID
            sandboxConfig.role = .agent
            sandboxConfig.lifetime = config.sandboxLifetime
            let shellOptions = PersistentShell.Options(commandTimeout: config.sessionTimeout,
                                                       startupCommands: task.sessionStartupCommands())
            let started: Sandbox
            if let pool {
                // A classic row's image may commit on top of its base (kept, as grading keeps it): whether
                // HEAD descends from the base is checked before the scrub, so it takes a started one.
                if task.bugPatch.isEmpty && !task.isClassic {
                    let taken = try await pool.take(sandboxConfig, flavour: .scrubbed, shell: shellOptions)
                    if task.baseCommit.isEmpty || taken.head == task.baseCommit {
                        return SandboxEnvironment(sandbox: taken.sandbox, plugins: config.plugins)
                    }
                    // The base is an older commit (issue-fix from history): the scrubbed tree cannot reach it.
                    await taken.sandbox.close()
                }
                started = try await pool.take(sandboxConfig, flavour: .started, shell: shellOptions).sandbox
            } else {
                started = try await Sandbox.start(client: client, config: sandboxConfig, shell: shellOptions)
            }
            do {
                // An issue-fix task from history starts at its base commit; a mutate-fix task's bug
                // goes in before the scrub, folded into HEAD.
                // The official SWE-bench images commit their set-up on top of the base: kept, as in grading.
                try await BaseCommit.checkout(task: task, client: started.client, containerID: started.containerID, keepDescendant: task.isClassic)
                try await BugPatch.apply(task: task, client: started.client, containerID: started.containerID, commit: true)
                return try await SandboxEnvironment.prepare(started, config: config)
            } catch {
                await started.close()
                throw error
            }
        }
    }

    /// Grades a patch with the task's hidden tests; an infrastructure failure is thrown (the loop
    /// counts it a backend failure), a failing patch is a result.
    public static func evaluator(client: DockerClient, task: TaskRow, modelName: String, runID: String,
                                 timeout: Duration) -> Evaluator {
        { _, patch in
            let evaluator = InstanceEvaluator(client: client, grade: Grader.grade)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forager-grade-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let result = await evaluator.evaluate(
                task: task, prediction: Prediction(instanceID: task.instanceID, modelNameOrPath: modelName, modelPatch: patch),
                runID: runID, directory: directory, timeout: timeout)
            if result.outcome == .infraFailure { throw EpisodeServiceError.gradingUnavailable(instanceID: task.instanceID, reason: result.message ?? "") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let report = result.report.flatMap { try? encoder.encode([task.instanceID: $0]) }.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return EvaluationResult(passed: result.outcome == .resolved, reportJSON: report, message: result.message ?? "")
        }
    }
}

extension EpisodeServices {
    /// What the loop needs of a task row.
    public static func episodeTask(_ task: TaskRow, source: String, sample: Int = 0) -> EpisodeTask {
        EpisodeTask(instanceID: task.instanceID, issue: task.problemStatement, repoRoot: task.repoRoot,
                    testPatch: task.testPatch.isEmpty ? nil : task.testPatch, source: source, sample: sample)
    }

    /// The loop settings a run recorded in its configuration (`runs.config_json`); settings it did
    /// not record keep their defaults. A configuration that cannot be read is an error naming it.
    public static func episodeConfig(runConfigJSON: String) throws(RunConfigurationError) -> EpisodeConfig {
        try RunConfiguration.decode(runConfigJSON).episodeConfig
    }
}

public enum EpisodeServiceError: Error, Sendable, CustomStringConvertible {
    /// The grading container could not run (image, engine): an infrastructure failure.
    case gradingUnavailable(instanceID: String, reason: String)

    public var description: String {
        switch self {
        case .gradingUnavailable(let id, let why): return "grading \(id) could not run: \(why)"
        }
    }
}
