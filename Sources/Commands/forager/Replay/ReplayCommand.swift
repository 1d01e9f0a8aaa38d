import Agent
import ArgumentParser
import DockerEngine
import Foundation
import Inference
import Replay
import Sandbox
import Trajectories

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded episode and report, step by step, whether its observations come out the same.",
        discussion: """
            exec: the recorded tool calls run again in a fresh sandbox from the episode's image; each \
            observation is compared with the recorded one, exactly and after normalizing volatile values \
            (timestamps, PIDs, temporary names, durations; see the README). model: the whole agent loop runs \
            again on the recorded model outputs and the final patch is graded again. The determinism score \
            is matched / steps; the replay is stored beside the episode (forager show lists it).
            """
    )

    @Argument(help: "The episode id (RUN/INSTANCE/SAMPLE, as forager run --json lists them).")
    var episode: String

    @Option(help: "exec or model.")
    var mode: ReplayMode = .exec

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @Option(help: "The model whose chat format the episode was run with (as forager run --model; scripted runs without --model used `default`).")
    var model: String = "default"

    @Option(help: "A folder with environment.txt / issue.txt prompt templates, if the episode was run with --prompt-dir.")
    var promptDir: String?

    @Option(help: "Replay in this image instead of the task's.")
    var image: String?

    @Option(help: "Seconds the hidden tests may run when model mode grades the patch again.")
    var gradeTimeout: Int = 600

    @Flag(help: "Print {episode, replay_id, mode, steps, matched, mismatched, score, passed, detail, step_results} as JSON.")
    var json = false

    @OptionGroup(title: "Cluster") var clusterOptions: ClusterOptions

    @Option(help: "Registry HOST:PORT the swarm's nodes pull the image from (--cluster swarm): it is pushed there and named by digest.")
    var registry: String?

    func run() async throws {
        let store = try await openExistingStore(db)
        let loaded = try Model.load(path: try ModelLocator.resolve(model))
        let templates = try promptDir.map { try PromptTemplates.load(directory: URL(fileURLWithPath: $0)) }
            ?? PromptTemplates.builtIn.shaped(for: PromptFamily(architecture: loaded.config.architecture))
        let settings = ReplaySettings(format: chatFormat(for: loaded.tokenizer), templates: templates,
                                      sandbox: SandboxConfig(image: ""), image: image, gradeTimeout: .seconds(gradeTimeout))
        let client = try await DockerClient.connect()
        Output.progress("replay: \(episode) (\(mode.rawValue) mode)…\n")
        let replayer = EpisodeReplayer(client: client, store: store, settings: settings), episode = self.episode, mode = self.mode
        let report = try await clusterOptions.placing(manager: client, registry: registry) {
            try await replayer.replay(episode: episode, mode: mode)
        }
        if json {
            try Output.json(ReplayJSON(report))
            return
        }
        print(ReplayText.render(report, database: db))
    }
}

extension ReplayMode: ExpressibleByArgument {}

/// `forager replay --json`.
struct ReplayJSON: Encodable {
    struct StepResult: Encodable {
        let index: Int
        let status: String
        let diff: String?
    }

    let episode: String
    let replay_id: String
    let mode: String
    let attempt: Int
    let steps: Int
    let matched: Int
    let mismatched: Int
    let score: Double
    let passed: Bool?
    let detail: String?
    let step_results: [StepResult]

    init(_ report: EpisodeReplayer.Report) {
        let replay = report.replay
        episode = replay.episodeID
        replay_id = replay.id
        mode = replay.mode.rawValue
        attempt = replay.attempt
        steps = replay.steps
        matched = replay.matched
        mismatched = replay.mismatched
        score = replay.score
        passed = replay.passed
        detail = replay.detail
        step_results = report.steps.map { StepResult(index: $0.index, status: $0.status.rawValue, diff: $0.diff) }
    }

    func encode(to encoder: any Encoder) throws {
        enum Key: String, CodingKey { case episode, replay_id, mode, attempt, steps, matched, mismatched, score, passed, detail, step_results }
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(episode, forKey: .episode)
        try c.encode(replay_id, forKey: .replay_id)
        try c.encode(mode, forKey: .mode)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(steps, forKey: .steps)
        try c.encode(matched, forKey: .matched)
        try c.encode(mismatched, forKey: .mismatched)
        try c.encode(score, forKey: .score)
        try c.encode(passed, forKey: .passed)  // null when not graded
        try c.encode(detail, forKey: .detail)
        try c.encode(step_results, forKey: .step_results)
    }
}

/// `forager replay` for a reader: one line per step, the diff of each mismatch, the score.
enum ReplayText {
    static func render(_ report: EpisodeReplayer.Report, database: String) -> String {
        let replay = report.replay
        var lines: [String] = []
        for step in report.steps {
            lines.append("step \(step.index): \(step.status.rawValue)")
            if let diff = step.diff {
                lines += diff.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
            }
        }
        if report.steps.isEmpty { lines.append("no steps to replay") }
        if let detail = replay.detail { lines.append(""); lines.append(detail) }
        lines.append("")
        lines.append(String(format: "determinism score: %.3f (%d of %d steps matched, %d mismatched)",
                            replay.score, replay.matched, replay.steps, replay.mismatched))
        lines.append("stored as \(replay.id) in \(database)")
        return lines.joined(separator: "\n")
    }
}
