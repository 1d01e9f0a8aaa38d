/// Prompt shaping per model family: Forager's own additions to the built-in templates for
/// models that need them to follow CWM's tool protocol. Measured on the demo tasks (README,
/// "The embedded model"): Qwen2.5-Coder with the plain templates wrote the final-answer template
/// at once instead of calling a tool; an example of exactly one call at the end of the task prompt
/// makes it act.
public enum PromptFamily: String, Sendable, Codable, CaseIterable {
    /// The templates as written (CWM, Llama 3, SmolLM2, endpoints, scripted agents).
    case standard
    /// Qwen2 models (the default Qwen2.5-Coder-1.5B-Instruct).
    case qwen2

    /// The family of a GGUF `general.architecture`.
    public init(architecture: String) {
        self = architecture == "qwen2" ? .qwen2 : .standard
    }

    /// The sampling a run uses unless `--temperature` / `--top-p` say otherwise: CWM's (1.0,
    /// top-p 0.95) for the standard family; for Qwen2 the model's own recommendation (its
    /// `generation_config.json`: temperature 0.7, top-p 0.8, top-k 20), since at CWM's 1.0 the
    /// 1.5B model wanders off the protocol and greedy decoding repeats one command.
    public var defaultSampling: (temperature: Double, topP: Double, topK: Int) {
        switch self {
        case .standard: (1.0, 0.95, 0)
        case .qwen2: (0.7, 0.8, 20)
        }
    }

    /// Whether a run ends each turn after its tool call unless `--no-stop-after-tool-call` says
    /// otherwise. Measured on the demo tasks (README, "The embedded model"): the Qwen2.5-Coder
    /// 1.5B often goes on after its `</tool>` with more calls or an imitated `<budget>` block,
    /// which CWM's parser rejects as a format error.
    public var stopsAfterToolCall: Bool {
        switch self {
        case .standard: false
        case .qwen2: true
        }
    }

    /// Forager's wording of one tool call per turn, with an example, appended to the task prompt.
    public static let singleCallExample = """
        Reply with exactly one tool call per turn and nothing after its closing </tool>; the tool's output comes back in the next message. For example, to list the repository's files, your whole reply would be:

        <tool: bash>
        ls
        </tool>
        """
}

extension PromptTemplates {
    /// The templates with `family`'s additions (none for `standard`).
    public func shaped(for family: PromptFamily) -> PromptTemplates {
        switch family {
        case .standard:
            return self
        case .qwen2:
            var t = self
            var issue = Substring(issue)
            while issue.last == "\n" { issue = issue.dropLast() }
            t.issue = issue + "\n\n" + PromptFamily.singleCallExample + "\n"
            return t
        }
    }
}
