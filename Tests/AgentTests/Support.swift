import Agent
import DockerEnvironment
import AgentTools
import DockerEngine
import Foundation
import Inference
import Sandbox
import Testing
import TestSupport

/// SmolLM2's tokenizer, read once from the tiny model's GGUF file.
let smolTokenizer: Tokenizer = {
    do {
        return try Tokenizer(gguf: GGUFFile(path: try ModelLocator.resolve("tiny")))
    } catch {
        fatalError("the tiny model's tokenizer: \(error)")
    }
}()

/// CWM's format over SmolLM2's tokenizer: the CWM markers are virtual single tokens.
let cwm = CWMChatFormat(tokenizer: smolTokenizer)
let chatML = ChatMLFormat(tokenizer: smolTokenizer)

/// The episode every loop test runs: a one-line bug in /testbed/a.py.
let demoTask = EpisodeTask(instanceID: "demo__one-1", issue: "f() should return 2, not 1.", repoRoot: "/testbed", source: "tests")

/// One assistant turn in think-tag mode (the `<think>\n` opener is the prompt's).
func turn(_ answer: String, thought: String = "Let me think.") -> String {
    "\(thought)\n</think>\n\(answer)"
}

func bash(_ command: String) -> String { turn("<tool: bash>\n\(command)\n</tool>") }
func submit(_ path: String) -> String { turn("<tool: submit>\n\(path)\n</tool>") }

/// A fix and a patch of it at /tmp/fix.patch.
let makePatch = bash("sed -i 's/return 1/return 2/' a.py && git diff > /tmp/fix.patch")
let submitPatch = submit("/tmp/fix.patch")
let finalAnswer = turn("## Issue Summary\nf returned 1.\n\n## Solution and Code Changes\nIt returns 2 now.")

/// Counts calls of an injected closure.
actor Counter {
    private(set) var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}

/// Creates a sandbox on the base image with a small git repository at /testbed, counting calls.
func sandboxFactory(counter: Counter, failFirst: Int = 0) -> EnvironmentFactory {
    { task, config in
        let call = await counter.increment()
        if call <= failFirst { throw TestFailure(description: "injected sandbox failure \(call)") }
        let client = try await DockerClient.connect()
        let sandboxConfig = SandboxConfig(image: baseImage, repoRoot: task.repoRoot, runID: "agent-tests", role: .agent,
                                          memoryBytes: 1 << 30, pidsLimit: 512, lifetime: .seconds(600),
                                          labels: ["forager.test": "1"])
        let sandbox = try await Sandbox.start(client: client, config: sandboxConfig,
                                              shell: .init(commandTimeout: config.sessionTimeout))
        do {
            let setup = try await client.exec(container: sandbox.containerID, ["bash", "-c", """
                set -e
                mkdir -p /testbed && cd /testbed && git init -q -b main
                git config user.email t@example.invalid && git config user.name t
                printf 'def f():\\n    return 1\\n' > a.py && git add a.py && git commit -qm base
                """])
            guard setup.exitCode == 0 else { throw TestFailure(description: "repo setup: \(setup.output.stderrText)") }
        } catch {
            await sandbox.close()
            throw error
        }
        return try await SandboxEnvironment.prepare(sandbox, config: config)
    }
}

/// A fake evaluator: grading itself is tested in GradingTests. It passes when the patch makes f
/// return 2, and counts its calls.
func fakeEvaluator(counter: Counter) -> Evaluator {
    { _, patch in
        _ = await counter.increment()
        let passed = patch.contains("+    return 2")
        return EvaluationResult(passed: passed, reportJSON: #"{"demo__one-1": {"resolved": \#(passed)}}"#,
                                message: passed ? "Tests passed" : "Tests failed")
    }
}

/// Records everything the loop reports, and how many sandboxes existed at each step.
actor Recorder: EpisodeObserver {
    var starts: [EpisodeStart] = []
    var steps: [EpisodeStep] = []
    var ends: [EpisodeEnd] = []
    var sandboxesAtStep: [Int] = []
    let sandboxes: Counter?

    init(sandboxes: Counter? = nil) { self.sandboxes = sandboxes }

    func episodeStarted(_ start: EpisodeStart) async throws { starts.append(start) }
    func stepRecorded(_ step: EpisodeStep) async throws {
        steps.append(step)
        if let sandboxes { sandboxesAtStep.append(await sandboxes.value) }
    }
    func episodeEnded(_ end: EpisodeEnd) async throws { ends.append(end) }
}

/// One loop test's pieces.
struct Harness {
    let sandboxes = Counter()
    let evaluations = Counter()
    let recorder: Recorder
    let runner: EpisodeRunner

    init(turns: [String], config: EpisodeConfig = .init(), format: any Agent.ChatFormat = cwm, failFirstSandboxes: Int = 0,
         model: (any LanguageModel)? = nil) {
        recorder = Recorder(sandboxes: sandboxes)
        runner = EpisodeRunner(
            config: config, format: format,
            model: model ?? ScriptedModel(format: format, turns: [demoTask.instanceID: turns]),
            makeEnvironment: sandboxFactory(counter: sandboxes, failFirst: failFirstSandboxes),
            evaluate: fakeEvaluator(counter: evaluations), observer: recorder)
    }

    func run() async throws -> EpisodeResult { try await runner.run(demoTask) }

    var steps: [EpisodeStep] { get async { await recorder.steps } }
}

extension EpisodeStep {
    /// The observation without its leading end-of-turn and trailing assistant prefix: the message.
    var messageText: String { observation.text }
}

let eot = CWMChatFormat.endOfTurn
let assistantPrefixText = "<|start_header_id|>assistant<|end_header_id|>\n\n<think>\n"

func toolMessage(_ name: String, _ body: String) -> String {
    "<|start_header_id|>tool: \(name)<|end_header_id|>\n\n\(body)\(eot)"
}

func userMessage(_ body: String) -> String {
    "<|start_header_id|>user<|end_header_id|>\n\n\(body)\(eot)"
}
