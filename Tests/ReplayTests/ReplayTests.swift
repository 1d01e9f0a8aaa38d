import Agent
import DockerEnvironment
import Foundation
import Replay
import Testing
import TestSupport
import Trajectories

@Suite("forager replay and show", .enabled { await dockerTestsEnabled() }, .serialized)
struct ReplayTests {
    @Test("exec replay of a scripted episode: every step matches, volatile output after normalization; stored beside the episode")
    func execReplayMatches() async throws {
        try await withRecordedEpisode { recorded in
            let report = try replay(recorded)
            #expect(report.episode == RecordedEpisode.episodeID)
            #expect(report.mode == "exec")
            #expect(report.steps == 6, "six steps have observations; the final answer has none")
            #expect(report.matched == 6 && report.mismatched == 0 && report.score == 1)
            #expect(report.detail == nil, "the rebuilt initial prompt is the recorded one")
            #expect(report.step_results.map(\.index) == Array(0..<6))
            #expect(report.step_results[2].status == "normalized", "the timestamp and mktemp name differ from the recording")
            #expect(report.step_results.filter { $0.index != 2 }.allSatisfy { $0.status == "exact" })

            let store = try await TrajectoryStore.open(at: recorded.db)
            let replays = try await store.replays(episode: RecordedEpisode.episodeID)
            #expect(replays.map(\.id) == [report.replay_id])
            #expect(replays.first?.mode == .exec && replays.first?.attempt == 1)
            let steps = try await store.replaySteps(replay: report.replay_id)
            #expect(steps.count == 6)
            #expect(steps[1].recorded == steps[1].replayed)
            #expect(steps[1].recorded?.contains("# calc") == true)
        }
    }

    @Test("exec replay against a changed image reports exactly the step that reads the changed file")
    func execReplayFindsTheChangedStep() async throws {
        try await withRecordedEpisode { recorded in
            try await recorded.alterImage()
            let report = try replay(recorded)
            #expect(report.steps == 6)
            #expect(report.mismatched == 1 && report.matched == 5)
            #expect(abs(report.score - 5.0 / 6.0) < 1e-9)
            let mismatches = report.step_results.filter { $0.status == "mismatch" }
            #expect(mismatches.map(\.index) == [1])
            let diff = mismatches.first?.diff ?? ""
            #expect(diff.contains("-# calc\n") || diff.contains("\n-# calc"))
            #expect(diff.contains("+# calc (altered after the episode)"))
            #expect(!diff.contains("budget"), "only the changed lines and their context")
        }
    }

    @Test("model replay drives the loop on the recorded outputs, submits the same patch and grades it again")
    func modelReplay() async throws {
        try await withRecordedEpisode { recorded in
            let report = try replay(recorded, ["--mode", "model"])
            #expect(report.mode == "model")
            #expect(report.steps == 7, "every step, the final answer included")
            #expect(report.mismatched == 0 && report.score == 1)
            #expect(report.passed == true)
            #expect(report.detail?.contains("same patch as recorded") == true)
            let store = try await TrajectoryStore.open(at: recorded.db)
            #expect(try await store.replays(episode: RecordedEpisode.episodeID).first?.passed == true)
        }
    }

    @Test("a run recorded with --max-action-tokens 300 is replayed with 300, not the default")
    func replayKeepsTheActionLimit() async throws {
        #expect(EpisodeConfig().maxActionLength != 300, "the limit under test must differ from the default")
        try await withRecordedEpisode(runArguments: ["--max-action-tokens", "300"]) { recorded in
            let store = try await TrajectoryStore.open(at: recorded.db)
            let stored = try RunConfiguration.decode(try await store.run("rp").configJSON)
            #expect(stored.episode.maxActionLength == 300, "the stored run configuration keeps the limit")
            let subject = try await ReplaySubject.load(store: store, episode: RecordedEpisode.episodeID)
            #expect(subject.config.maxActionLength == 300, "the replay's loop settings carry the limit")
            let report = try replay(recorded, ["--mode", "model"])
            #expect(report.mismatched == 0 && report.passed == true, "\(report.step_results.filter { $0.status == "mismatch" })")
        }
    }

    @Test("run --replay-run plays a stored run's model outputs back as a new run")
    func replayRun() async throws {
        try await withRecordedEpisode { recorded in
            let tasks = recorded.directory.appendingPathComponent("tasks.jsonl").path
            let run = try forager(["run", "--tasks", tasks, "--replay-run", "rp", "--model", "tiny", "--db", recorded.db, "--run-id", "rp2", "--json"])
            #expect(run.status == 0)
            #expect(run.output.contains("\"resolved\" : 1"))
            let store = try await TrajectoryStore.open(at: recorded.db)
            let original = try await store.episode(RecordedEpisode.episodeID).steps
            let again = try await store.episode("rp2/demo__calc-1/0").steps
            #expect(again.map(\.actionText) == original.map(\.actionText))
            let normalize = { (step: Step) in step.observationBody.map(VolatileNormalizer.normalize) }
            #expect(again.map(normalize) == original.map(normalize), "the same observations, volatile values aside")
            #expect(try await store.run("rp2").backendKind == "replayed")
        }
    }

    @Test("show prints the task, the tool calls, the observations, the patch and the grade, without colour when not a terminal")
    func showTranscript() async throws {
        try await withRecordedEpisode { recorded in
            let shown = try forager(["show", RecordedEpisode.episodeID, "--db", recorded.db])
            #expect(shown.status == 0)
            let text = shown.output
            #expect(text.contains("Exponentiation is evaluated left to right"), "the task")
            #expect(text.contains("Tool call: bash") && text.contains("Tool call: create") && text.contains("Tool call: submit"))
            #expect(text.contains("head -n 3 README.md"))
            #expect(text.contains("Remaining turns: 126"), "the budget of the second turn")
            #expect(text.contains("== Submitted patch ==\ndiff --git a/calc/parser.py b/calc/parser.py"))
            #expect(text.contains("== Grade ==\nresolved"))
            #expect(!text.contains("\u{1B}["), "no ANSI codes on a pipe")
            #expect(text.contains("Final answer:\n  ## Issue Summary"))
            #expect(!text.contains("== Replays =="))

            let replayed = try replay(recorded)
            let again = try forager(["show", RecordedEpisode.episodeID, "--db", recorded.db]).output
            #expect(again.contains("== Replays ==\n\(replayed.replay_id) · exec"))

            // On a terminal (util-linux `script` gives it one): colour, unless NO_COLOR is set.
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/script") {
                let binary = try ForagerLauncher.executable().path
                let command = "\(binary) show \(RecordedEpisode.episodeID) --db \(recorded.db)"
                let colored = try run("/usr/bin/script", ["-qec", command, "/dev/null"])
                #expect(colored.contains("\u{1B}[1;36mEpisode \(RecordedEpisode.episodeID)"))
                let plain = try run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: ["NO_COLOR": "1"])
                #expect(plain.contains("Episode \(RecordedEpisode.episodeID)") && !plain.contains("\u{1B}["))
            }

            let missing = try forager(["show", "rp/nope/0", "--db", recorded.db])
            #expect(missing.status != 0)
        }
    }
}
