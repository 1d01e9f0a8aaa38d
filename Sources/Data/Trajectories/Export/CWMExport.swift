import Foundation

/// CWM's trajectory dump (spec §5, minimal mode): one `{"rollouts":[R],"metrics":[M]}` line per
/// episode that ended (finished or failed).
public enum CWMExport {
    /// CWM truncates the eval message in the terminal info to this many characters.
    static let messageLimit = 102_400

    /// One line per ended episode; with `deduplicate`, near-duplicates within a repository are
    /// dropped first (`NearDuplicateFilter`). Successful and failed episodes alike are kept.
    public static func lines(_ data: RunExport, deduplicate: NearDuplicateFilter? = nil) -> [String] {
        let samples = Dictionary(grouping: data.episodes, by: \.episode.instanceID).mapValues(\.count)
        let ended = data.episodes.filter { $0.episode.status.isFinal }
        return (deduplicate?.keep(ended) ?? ended).map { item in
            line(run: data.run, item, samplesPerPrompt: samples[item.episode.instanceID] ?? 1).serialized()
        }
    }

    public static func line(run: Run, _ item: EpisodeWithSteps, samplesPerPrompt: Int = 1) -> OrderedJSON {
        let episode = item.episode
        let transitions = self.transitions(item)
        let path = run.tasksFile ?? ""
        let envConfig = "forager:\(run.backendKind)"
        let rewardFn = "pass"
        let dataSource: OrderedJSON = .object([
            ("path", .string(path)), ("line_no", .int(episode.taskLine ?? -1)), ("pos", .int(-1)),
        ])
        let duration = episode.endedAt.map { $0.timeIntervalSince(episode.startedAt) } ?? -1.0
        let rollout: OrderedJSON = .object([
            ("traj", .object([("transitions", .array(transitions))])),
            ("data_src", dataSource),
            ("start_args", .object([("instance_id", .string(episode.instanceID))])),
            ("begin_step", .int(-1)),
            ("end_step", .int(-1)),
            ("metrics", .object([("rollout/duration", .double(duration))])),
            ("rl_task_args", .object([
                ("env_config", .string(envConfig)), ("reward_fn", .string(rewardFn)), ("path", .string(path)),
                ("init_args", .object([])), ("samples_per_prompt", .int(samplesPerPrompt)),
                ("metrics_spec", .object([])),
            ])),
            ("pivotal", .null),
        ])
        let metrics: OrderedJSON = .object([
            ("data_src", dataSource),
            ("task_name", .string("\(envConfig):\(rewardFn):\(path)")),
            ("terminal_rewards", .double(terminalReward(episode))),
            ("terminal_metrics", outcomes(pass: episode.passed ?? false)),
        ])
        return .object([("rollouts", .array([rollout])), ("metrics", .array([metrics]))])
    }

    /// The start transition (initial observation, no action), one per step, the last one terminal.
    public static func transitions(_ item: EpisodeWithSteps) -> [OrderedJSON] {
        let episode = item.episode
        let ended = episode.status.isFinal
        let initialObservation = episode.initialObservation
            ?? [episode.systemPrompt, episode.userPrompt].compactMap { $0 }.joined(separator: "\n\n")
        var result: [OrderedJSON] = [transition(
            action: "", rewards: [], observation: initialObservation,
            terminal: ended && item.steps.isEmpty, pass: ended && item.steps.isEmpty && episode.passed == true,
            info: ended && item.steps.isEmpty ? terminalInfo(episode) : startInfo(episode))]
        for (position, step) in item.steps.enumerated() {
            let isTerminal = ended && position == item.steps.count - 1
            var rewards = Array(repeating: 0.0, count: step.actionTokens ?? 0)
            let info: OrderedJSON
            if isTerminal {
                if rewards.isEmpty { rewards = [0.0] }
                rewards[rewards.count - 1] = terminalReward(episode)
                info = terminalInfo(episode)
            } else {
                info = .object([("duration", .double(step.toolDuration ?? 0.0))])
            }
            result.append(transition(action: step.actionText, rewards: rewards,
                                     observation: step.observationText ?? "", terminal: isTerminal,
                                     pass: isTerminal && episode.passed == true, info: info))
        }
        return result
    }

    /// CWM's SBV reward: 0 for pass, −1 otherwise, on the terminal action's last token.
    static func terminalReward(_ episode: Episode) -> Double { episode.passed == true ? 0.0 : -1.0 }

    private static func transition(action: String, rewards: [Double], observation: String, terminal: Bool,
                                   pass: Bool, info: OrderedJSON) -> OrderedJSON {
        .object([
            ("action_str", .string(action)),
            ("rewards", .array(rewards.map(OrderedJSON.double))),
            ("observation_str", .string(observation)),
            ("terminal", .bool(terminal)),
            ("context_switch", .bool(false)),
            ("outcomes", outcomes(pass: pass)),
            ("info", info),
        ])
    }

    private static func outcomes(pass: Bool) -> OrderedJSON { .object([("pass", .bool(pass))]) }

    private static func startInfo(_ episode: Episode) -> OrderedJSON {
        .object([
            ("source", .string(episode.source)), ("instance_id", .string(episode.instanceID)),
            ("message", .string("")), ("eval_duration", .double(-1.0)), ("pred_patch", .null),
        ])
    }

    /// Ungraded endings (max turns, context, format error, timeout) carry no patch, as in CWM.
    private static func terminalInfo(_ episode: Episode) -> OrderedJSON {
        let graded = episode.passed != nil || episode.evalDuration != nil
        return .object([
            ("source", .string(episode.source)), ("instance_id", .string(episode.instanceID)),
            ("message", .string(String((episode.terminalMessage ?? "").prefix(messageLimit)))),
            ("eval_duration", .double(episode.evalDuration ?? -1.0)),
            ("pred_patch", graded ? .optional(episode.submittedPatch) : .null),
        ])
    }
}
