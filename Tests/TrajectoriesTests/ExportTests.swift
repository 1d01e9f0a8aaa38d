import Foundation
import Testing
import TestSupport
@testable import Trajectories

@Suite struct ExportTests {
    /// A run with: a passed episode (2 steps, graded), a max-turns episode (ungraded, sample 0),
    /// its sample 1, and an unfinished one.
    func populatedStore(_ dir: TempDir) async throws -> TrajectoryStore {
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let pass = try await store.startEpisode(NewEpisode(
            runID: "r1", instanceID: "django__django-1", taskLine: 4, systemPrompt: "SYS", userPrompt: "USER")).episode.id
        try await store.appendStep(episode: pass, NewStep(
            actionText: "<tool: bash>\nls\n</tool>", toolName: "bash", toolInput: "ls", observationText: "a.py",
            actionTokens: 3, observationTokens: 2, modelDuration: 0.5, toolDuration: 0.25))
        try await store.appendStep(episode: pass, NewStep(
            actionText: "<tool: submit>\np.diff\n</tool>", toolName: "submit", toolInput: "p.diff",
            observationText: "submitted", actionTokens: 4, toolDuration: 0.1, submittedPatch: "diff --git a/x b/x\n"))
        try await store.appendStep(episode: pass, NewStep(role: .user, actionText: "## Issue Summary", actionTokens: 5))
        try await store.finishEpisode(pass, EpisodeOutcome(status: .finished, terminalMessage: "PASSED", passed: true,
                                                           gradingJSON: #"{"django__django-1": {"resolved": true}}"#,
                                                           evalDuration: 12.5))
        for sample in 0..<2 {
            let id = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "flask-2", sampleIndex: sample)).episode.id
            try await store.appendStep(episode: id, NewStep(actionText: "think", actionTokens: 2,
                                                            submittedPatch: "diff s\(sample)"))
            try await store.finishEpisode(id, EpisodeOutcome(status: .finished, terminalMessage: "Max turns reached"))
        }
        let open = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "zzz-3")).episode.id
        try await store.appendStep(episode: open, NewStep(actionText: "x", observationText: "y"))
        return store
    }

    @Test func cwmLinesHaveTheDumpShape() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try await populatedStore(dir).exportData(run: "r1")
        let lines = CWMExport.lines(data)
        #expect(lines.count == 3)  // the unfinished episode is not dumped
        let line = try parseObject(lines[0])
        #expect(keys(line) == ["metrics", "rollouts"])
        let rollout = try #require((line["rollouts"] as? [Any])?.first as? [String: Any])
        #expect(keys(rollout) == ["begin_step", "data_src", "end_step", "metrics", "pivotal", "rl_task_args",
                                  "start_args", "traj"])
        #expect(keys(rollout["data_src"]) == ["line_no", "path", "pos"])
        #expect((rollout["data_src"] as? [String: Any])?["line_no"] as? Int == 4)
        #expect(keys(rollout["start_args"]) == ["instance_id"])
        #expect(keys(rollout["rl_task_args"]) == ["env_config", "init_args", "metrics_spec", "path", "reward_fn",
                                                  "samples_per_prompt"])
        let transitions = try #require((rollout["traj"] as? [String: Any])?["transitions"] as? [[String: Any]])
        #expect(transitions.count == 4)
        for t in transitions {
            #expect(keys(t) == ["action_str", "context_switch", "info", "observation_str", "outcomes", "rewards",
                                "terminal"])
            #expect(keys(t["outcomes"]) == ["pass"])
        }
        #expect(transitions[0]["action_str"] as? String == "")
        #expect(transitions[0]["observation_str"] as? String == "SYS\n\nUSER")
        #expect(keys(transitions[0]["info"]) == ["eval_duration", "instance_id", "message", "pred_patch", "source"])
        let startInfo = try #require(transitions[0]["info"] as? [String: Any])
        #expect(startInfo["pred_patch"] is NSNull)
        #expect(startInfo["message"] as? String == "")
        #expect(startInfo["source"] as? String == "run")
        #expect(keys(transitions[1]["info"]) == ["duration"])
        #expect((transitions[1]["rewards"] as? [Double]) == [0, 0, 0])
        #expect(transitions[1]["observation_str"] as? String == "a.py")
        let terminal = transitions[3]
        #expect(terminal["terminal"] as? Bool == true)
        #expect((terminal["outcomes"] as? [String: Any])?["pass"] as? Bool == true)
        #expect((terminal["rewards"] as? [Double]) == [0, 0, 0, 0, 0])
        let info = try #require(terminal["info"] as? [String: Any])
        #expect(info["pred_patch"] as? String == "diff --git a/x b/x\n")
        #expect(info["eval_duration"] as? Double == 12.5)
        #expect(info["message"] as? String == "PASSED")
        let metric = try #require((line["metrics"] as? [Any])?.first as? [String: Any])
        #expect(keys(metric) == ["data_src", "task_name", "terminal_metrics", "terminal_rewards"])
        // Floats stay floats, as CWM writes them.
        #expect(lines[0].contains(#""rewards": [0.0, 0.0, 0.0]"#))

        let failed = try parseObject(lines[1])
        let failedRollout = try #require((failed["rollouts"] as? [Any])?.first as? [String: Any])
        let failedTransitions = try #require((failedRollout["traj"] as? [String: Any])?["transitions"] as? [[String: Any]])
        let failedInfo = try #require(failedTransitions.last?["info"] as? [String: Any])
        #expect(failedTransitions.last?["rewards"] as? [Double] == [0, -1])
        #expect(failedInfo["message"] as? String == "Max turns reached")
        #expect(failedInfo["pred_patch"] is NSNull)  // ungraded ending: no patch, as in CWM
        #expect(failedInfo["eval_duration"] as? Double == -1)
        let failedMetric = try #require((failed["metrics"] as? [Any])?.first as? [String: Any])
        #expect(failedMetric["terminal_rewards"] as? Double == -1)
    }

    @Test func miniTrajectoriesHaveMiniSweAgentKeys() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try await populatedStore(dir).exportData(run: "r1")
        let out = dir.path + "/mini"
        try ExportWriter.write(data, format: .mini, out: out)
        let file = out + "/django__django-1/django__django-1.traj.json"
        let traj = try parseObject(try String(contentsOfFile: file, encoding: .utf8))
        #expect(keys(traj) == ["info", "instance_id", "messages", "trajectory_format"])
        #expect(traj["trajectory_format"] as? String == "mini-swe-agent-1.1")
        let info = try #require(traj["info"] as? [String: Any])
        #expect(keys(info) == ["config", "exit_status", "mini_version", "model_stats", "submission"])
        #expect(keys(info["model_stats"]) == ["api_calls", "instance_cost"])
        #expect(keys(info["config"]) == ["agent", "agent_type", "environment", "environment_type", "model", "model_type"])
        #expect(info["exit_status"] as? String == "Submitted")
        #expect(info["submission"] as? String == "diff --git a/x b/x\n")
        let messages = try #require(traj["messages"] as? [[String: Any]])
        #expect(messages.map { $0["role"] as? String } == ["system", "user", "assistant", "tool", "assistant", "tool",
                                                           "assistant", "exit"])
        #expect(keys(messages[2]) == ["content", "extra", "role"])
        #expect(keys(messages[2]["extra"]) == ["actions", "timestamp"])
        #expect(keys(messages[3]) == ["content", "extra", "role", "tool_call_id"])
        #expect(keys(messages.last?["extra"]) == ["exit_status", "submission"])
        let maxTurns = try parseObject(try String(contentsOfFile: out + "/flask-2/flask-2.traj.json", encoding: .utf8))
        #expect((maxTurns["info"] as? [String: Any])?["exit_status"] as? String == "LimitsExceeded")
        #expect(FileManager.default.fileExists(atPath: out + "/zzz-3/zzz-3.traj.json"))
    }

    @Test func predsAreOnePerInstanceFromFinishedSampleZero() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let data = try await populatedStore(dir).exportData(run: "r1")
        let out = dir.path + "/preds.jsonl"
        #expect(try ExportWriter.write(data, format: .preds, out: out) == nil)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        let preds = try lines.map { try parseObject($0) }
        for pred in preds { #expect(keys(pred) == ["instance_id", "model_name_or_path", "model_patch"]) }
        #expect(preds.map { $0["instance_id"] as? String } == ["django__django-1", "flask-2"])
        #expect(preds[1]["model_patch"] as? String == "diff s0")
        #expect(preds[0]["model_name_or_path"] as? String == "cwm-q8")
        #expect(PredsExport.predictions(data, sample: 1).count == 1)
        let text = try #require(try ExportWriter.write(data, format: .cwm, out: nil))
        #expect(text.split(separator: "\n").count == 3)
    }
}
