import Agent
import AgentTools
import DockerEngine
import DockerEnvironment
import Trajectories

/// `--mode exec`: the recorded tool calls run again, in order, in a fresh sandbox from the task's
/// image, through the loop's own tools and observation rendering. The budget notice of each step
/// is computed from the recorded token counts, so one differing observation changes only its
/// own step. Steps without an observation (the terminal one) ran nothing and are not replayed.
struct ExecReplayer: Sendable {
    let client: DockerClient
    let settings: ReplaySettings
    let replayID: String

    struct Outcome {
        var steps: [ReplayStep]
        var notes: [String]
    }

    func replay(_ subject: ReplaySubject) async throws -> Outcome {
        var config = subject.config
        config.sandboxLifetime = settings.sandbox.lifetime
        let format = settings.format
        let renderer = ObservationRenderer(config: config, format: format)
        let makeEnvironment = EpisodeServices.environmentFactory(
            client: client, task: subject.task, sandbox: settings.sandbox, runID: replayID,
            episodeID: subject.episode.id, image: settings.image)
        let prompt = EpisodeRunner(config: config, format: format, model: ReplayedModel(format: format, turns: []),
                                   templates: settings.templates, makeEnvironment: makeEnvironment,
                                   evaluate: { _, _ in EvaluationResult(passed: false, reportJSON: "{}") })
            .initialObservation(subject.episodeTask).observation
        var notes: [String] = []
        if let recorded = subject.episode.initialObservation, recorded != prompt.text {
            notes.append("the initial prompt differs from the recorded one (was the episode run with --prompt-dir or another model's chat format?)")
        }
        let endOfTurn = format.messageEnd.tokens.first { format.stopTokens.contains($0) }

        var environment: (any EpisodeEnvironment)?
        var results: [ReplayStep] = []
        var contextTokens = prompt.count
        do {
            for step in subject.steps {
                let actionTokens = step.actionTokens ?? format.encode(step.actionText).count + 1
                contextTokens += actionTokens
                guard step.observationText != nil else { continue }
                let stepID = step.index + 1
                var message: ChatMessage?
                var backendFailure: String?
                do {
                    let call = try ToolCallParser.parseTurn(step.actionText, thinkingEnd: config.thinkingEnd)
                    let sandbox: any EpisodeEnvironment
                    if let environment {
                        sandbox = environment
                    } else {
                        sandbox = try await makeEnvironment(subject.episodeTask, config)
                        environment = sandbox
                    }
                    do {
                        let result = try await sandbox.tools.apply(call)
                        message = renderer.toolMessage(tool: call.name, output: result.output, stepID: stepID,
                                                       contextTokens: contextTokens)
                    } catch {
                        switch error {
                        case .noSuchTool(let noSuchTool): message = renderer.formatErrorMessage(renderForModel(noSuchTool))
                        case .backend(let backend): backendFailure = "the tool failed in the sandbox: \(backend.message)"
                        }
                    }
                } catch let formatError as FormatError {
                    message = renderer.formatErrorMessage(renderForModel(formatError))
                }
                let replayed: String?
                let recorded: String?
                if let message {
                    if let body = step.observationBody {
                        recorded = body
                        replayed = message.body
                    } else {
                        // Steps recorded before bodies were kept: compare the whole observation.
                        let cut = actionTokens >= config.maxActionLength
                        recorded = step.observationText
                        replayed = renderer.observation(afterActionEndingWith: cut ? nil : endOfTurn, message: message).text
                    }
                } else {
                    recorded = step.observationBody ?? step.observationText
                    replayed = backendFailure.map { "[replay] \($0)" }
                }
                results.append(ObservationComparison.compare(index: step.index, recorded: recorded, replayed: replayed))
                contextTokens += step.observationTokens ?? 0
            }
        } catch {
            await environment?.close()
            throw ReplayError.backend(episode: subject.episode.id, reason: "\(error)")
        }
        await environment?.close()
        return Outcome(steps: results, notes: notes)
    }
}
