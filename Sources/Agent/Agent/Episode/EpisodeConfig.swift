import Inference

/// The episode loop's settings. The defaults are CWM's SWE-bench Verified configuration
/// (`swerl_tool_env:think_tag:modal:eval`, spec §1.1 and §6).
public struct EpisodeConfig: Sendable, Hashable {
    /// Total context window in tokens.
    public var contextSize = 131_072
    /// Turn limit. QUIRK kept: the `max_turns`-th action is never executed (spec §1.3 step 4).
    public var maxTurns = 128
    /// Tokens per model turn (CWM's max_gen).
    public var maxActionLength = 65_536
    /// Tokens of any environment message (tool results, format-error user messages).
    public var maxUserTurnLength = 32_768
    /// Tokens of the initial user prompt (left-truncated).
    public var maxPromptLength = 8_192
    /// Per-command limit of the persistent session.
    public var sessionTimeout: Duration = .seconds(120)
    /// Container lifetime; a backend failure after `sandboxLifetime − 30 s` ends the episode as a
    /// timeout instead of restarting it.
    public var sandboxLifetime: Duration = .seconds(7200)
    /// Strict format: a format error before a submission ends the episode, and a final answer must
    /// contain `##`.
    public var strictFormat = false
    /// Think mode and, within it, think tags (`<think>` / `</think>`) rather than think tokens.
    public var think = true
    public var useThinkTag = true
    /// The edit and create tools (off: CWM's no-plugins variant).
    public var plugins = true
    /// Append the test patch to the issue as a hint.
    public var testPatchHint = false
    /// Tries of an episode whose backend fails, the first included (CWM: max_exceptions + 1 = 4).
    public var maxAttempts = 4
    /// Forager's, not CWM's: a turn ends right after its first `</tool>` (after the thinking end
    /// in think mode), so what a small model writes after its call (a second call, an imitated
    /// `<budget>` block) is never generated. The next observation closes the turn, as after a turn
    /// cut at `maxActionLength`. Off: CWM, the whole turn is the model's and is parsed as it is.
    public var stopAfterToolCall = false

    public init() {}

    /// The text the assistant turn starts with: `<think>\n` in think-tag mode.
    public var assistantPrefix: String { think && useThinkTag ? "<think>\n" : "" }

    /// Whether think-token mode appends `<|reasoning_thinking_start|>` to every observation.
    public var usesThinkToken: Bool { think && !useThinkTag }

    /// Where a turn ends besides the model's end of turn (`stopAfterToolCall`), nil: nowhere.
    public var turnEnd: TextEnd? {
        stopAfterToolCall ? TextEnd(marker: "</tool>", after: thinkingEnd) : nil
    }

    /// The end-of-thinking marker the think split looks for, nil without think mode.
    public var thinkingEnd: String? {
        guard think else { return nil }
        return useThinkTag ? "</think>" : "<|reasoning_thinking_end|>"
    }
}

/// What the loop needs to know about a task.
public struct EpisodeTask: Sendable, Hashable {
    public var instanceID: String
    public var issue: String
    /// The repository inside the container (`/testbed` for SWE-bench).
    public var repoRoot: String
    /// For the optional hint.
    public var testPatch: String?
    /// Recorded in the initial info (CWM's `source`).
    public var source: String?
    /// Which of a run's K samples of the task this episode is (0 ..< K): models that sample
    /// in-process mix it into their seed, so the K episodes differ.
    public var sample: Int

    public init(instanceID: String, issue: String, repoRoot: String = "/testbed", testPatch: String? = nil, source: String? = nil,
                sample: Int = 0) {
        self.instanceID = instanceID
        self.issue = issue
        self.repoRoot = repoRoot
        self.testPatch = testPatch
        self.source = source
        self.sample = sample
    }
}
