import Agent
import DockerEngine
import DockerEnvironment
import Trajectories

/// `--mode model`: the whole loop runs again with the recorded model outputs (a `ReplayedModel`)
/// in a fresh sandbox, the final patch is graded again, and each observation is compared with the
/// recorded one. A changed observation also changes later budget notices here, as it would have
/// in the original run.
struct ModelReplayer: Sendable {
    let client: DockerClient
    let settings: ReplaySettings
    let replayID: String

    struct Outcome {
        var steps: [ReplayStep]
        var passed: Bool?
        var notes: [String]
    }

    func replay(_ subject: ReplaySubject) async throws -> Outcome {
        var config = subject.config
        config.sandboxLifetime = settings.sandbox.lifetime
        config.maxAttempts = 1
        let collector = StepCollector()
        let runner = EpisodeRunner(
            config: config, format: settings.format,
            model: ReplayedModel(format: settings.format, turns: subject.steps.map(\.actionText)),
            templates: settings.templates,
            makeEnvironment: EpisodeServices.environmentFactory(
                client: client, task: subject.task, sandbox: settings.sandbox, runID: replayID,
                episodeID: subject.episode.id, image: settings.image),
            evaluate: EpisodeServices.evaluator(client: client, task: subject.task, modelName: "replay",
                                                runID: replayID, timeout: settings.gradeTimeout),
            observer: collector)
        let result = try await runner.run(subject.episodeTask)
        if result.termination == .dropped {
            throw ReplayError.backend(episode: subject.episode.id, reason: result.failures.last ?? result.message)
        }
        let replayed = await collector.steps
        var steps: [ReplayStep] = []
        for index in 0..<max(subject.steps.count, replayed.count) {
            let recorded = index < subject.steps.count ? subject.steps[index] : nil
            let again = index < replayed.count ? replayed[index] : nil
            guard let recorded, let again else {
                steps.append(ReplayStep(
                    index: index, status: .mismatch, recorded: recorded.flatMap { $0.observationBody ?? $0.observationText },
                    replayed: again.flatMap { $0.terminal ? nil : $0.feedback },
                    diff: recorded == nil ? "(the recorded episode ended before this step)" : "(the replay ended before this step)"))
                continue
            }
            let replayedText: String? = again.terminal ? nil
                : (recorded.observationBody != nil || recorded.observationText == nil ? again.feedback : again.observation.text)
            steps.append(ObservationComparison.compare(index: index, recorded: recorded.observationBody ?? recorded.observationText,
                                                       replayed: replayedText))
        }
        var notes: [String] = []
        let patch = result.lastSubmittedPatch ?? result.predictedPatch
        let recordedPatch = subject.episode.submittedPatch
        if patch == recordedPatch {
            notes.append(patch == nil ? "no patch was submitted, as recorded" : "same patch as recorded")
        } else {
            notes.append("the patch differs from the recorded one:\n" + LineDiff.unified(recordedPatch ?? "", patch ?? ""))
        }
        if let evaluation = result.evaluation {
            let verdict = evaluation.passed ? "resolved" : "not resolved"
            let before = subject.episode.passed.map { $0 ? "resolved" : "not resolved" } ?? "not graded"
            notes.append("graded again: \(verdict) (recorded: \(before))")
        } else {
            notes.append("not graded: the replay ended with \(result.termination.rawValue)")
        }
        return Outcome(steps: steps, passed: result.evaluation?.passed, notes: notes)
    }
}

/// Keeps the replayed steps in order.
private actor StepCollector: EpisodeObserver {
    private(set) var steps: [EpisodeStep] = []

    func episodeStarted(_ start: Agent.EpisodeStart) async throws { steps.removeAll() }
    func stepRecorded(_ step: EpisodeStep) async throws { steps.append(step) }
    func episodeEnded(_ end: EpisodeEnd) async throws {}
}
