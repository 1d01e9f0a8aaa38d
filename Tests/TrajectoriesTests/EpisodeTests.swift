import Foundation
import Testing
import TestSupport
@testable import Trajectories

@Suite struct EpisodeTests {
    @Test func stepIsVisibleToASecondStoreAsSoonAsAppendReturns() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let writer = try await TrajectoryStore.open(at: dir.dbPath)
        let reader = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(writer)
        let episode = try await writer.startEpisode(NewEpisode(runID: "r1", instanceID: "a__b-1")).episode
        for i in 0..<3 {
            let step = try await writer.appendStep(episode: episode.id, NewStep(
                actionText: "<tool: bash>\nls \(i)\n</tool>", toolName: "bash", toolInput: "ls \(i)",
                observationText: "out \(i)", actionTokens: 7, observationTokens: 3, promptTokens: 100))
            #expect(step.index == i)
            let seen = try await reader.episode(episode.id)
            #expect(seen.steps.count == i + 1)
            #expect(seen.steps.last?.observationText == "out \(i)")
            #expect(seen.episode.completionTokens == 7 * (i + 1))
            #expect(seen.episode.promptTokens == 100 * (i + 1))
        }
    }

    @Test func concurrentEpisodesEachGetTheirOwnContiguousSteps() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let episodeCount = 12, stepCount = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for e in 0..<episodeCount {
                group.addTask {
                    let id = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "task-\(e)")).episode.id
                    for s in 0..<stepCount {
                        try await store.appendStep(episode: id, NewStep(actionText: "e\(e) s\(s)", actionTokens: 1))
                    }
                    try await store.finishEpisode(id, EpisodeOutcome(status: .finished, terminalMessage: "done",
                                                                     passed: e % 2 == 0, submittedPatch: "diff --git"))
                }
            }
            try await group.waitForAll()
        }
        let episodes = try await store.episodes(run: "r1")
        #expect(episodes.count == episodeCount)
        for episode in episodes {
            let steps = try await store.episode(episode.id).steps
            #expect(steps.map(\.index) == Array(0..<stepCount))
            #expect(steps.allSatisfy { $0.actionText.hasPrefix(episode.instanceID.replacingOccurrences(of: "task-", with: "e") + " ") })
        }
        let counts = try await store.counts(run: "r1")
        #expect(counts == RunCounts(episodes: 12, finished: 12, submitted: 12, resolved: 6, errors: 0, unfinished: 0))
    }

    @Test func resumeAfterCrashKeepsStepsAndNeverDuplicatesEpisodes() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let firstID: String
        do {
            // The "crashed" process: steps written, episode never finished, store dropped.
            let store = try await TrajectoryStore.open(at: dir.dbPath)
            _ = try await makeRun(store)
            let done = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "done")).episode
            try await store.finishEpisode(done.id, EpisodeOutcome(status: .finished, passed: true))
            firstID = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "crashy")).episode.id
            for i in 0..<3 {
                try await store.appendStep(episode: firstID, NewStep(actionText: "a\(i)", observationText: "o\(i)",
                                                                     submittedPatch: i == 1 ? "diff p" : nil))
            }
        }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        #expect(try await store.episodesToResume(run: "r1").map(\.id) == [firstID])
        #expect(try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "done")).isAlreadyDone)

        let resumed = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "crashy"))
        guard case let .resumed(episode, previous) = resumed else {
            Issue.record("expected a resumed episode, got \(resumed)")
            return
        }
        #expect(episode.id == firstID)
        #expect(episode.attempt == 2)
        #expect(episode.submittedPatch == "diff p")
        #expect(previous.map(\.actionText) == ["a0", "a1", "a2"])
        let step = try await store.appendStep(episode: firstID, NewStep(actionText: "b0"))
        #expect(step.index == 0 && step.attempt == 2)
        #expect(try await store.episode(firstID).steps.map(\.actionText) == ["b0"])
        #expect(try await store.episode(firstID, allAttempts: true).steps.map(\.actionText) == ["a0", "a1", "a2", "b0"])

        try await store.finishEpisode(firstID, EpisodeOutcome(status: .finished, terminalMessage: "Max turns reached"))
        #expect(try await store.episodesToResume(run: "r1").isEmpty)
        #expect(try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "crashy")).isAlreadyDone)
        #expect(try await store.episodes(run: "r1").count == 2)
    }

    @Test func interruptMarksRunningEpisodesAndTheyResume() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let a = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "a")).episode.id
        let b = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "b")).episode.id
        try await store.finishEpisode(b, EpisodeOutcome(status: .failed, terminalMessage: "Tool call format error: x"))
        try await store.markInterrupted(run: "r1")
        #expect(try await store.run("r1").status == .interrupted)
        #expect(try await store.episode(a).episode.status == .interrupted)
        #expect(try await store.episode(b).episode.status == .failed)
        await #expect(throws: TrajectoryError.episodeClosed(episode: a, status: .interrupted)) {
            try await store.appendStep(episode: a, NewStep(actionText: "late"))
        }
        #expect(try await store.episodes(run: "r1", filter: EpisodeFilter(status: .interrupted)).map(\.id) == [a])
        #expect(try await store.episodes(run: "r1", filter: EpisodeFilter(instanceID: "b")).map(\.id) == [b])
        #expect(try await store.episodes(run: "r1", filter: EpisodeFilter(source: "forage:x")).isEmpty)
        try await store.reopenRun("r1")
        #expect(try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "a")).episode.attempt == 2)
        #expect(try await store.counts(run: "r1").errors == 1)
    }

    @Test func badInputGivesErrorsNamingIt() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        await #expect(throws: TrajectoryError.runExists(run: "r1")) { _ = try await makeRun(store) }
        await #expect(throws: TrajectoryError.runNotFound(run: "nope")) {
            _ = try await store.startEpisode(NewEpisode(runID: "nope", instanceID: "a"))
        }
        await #expect(throws: TrajectoryError.episodeNotFound(episode: "zz")) {
            try await store.appendStep(episode: "zz", NewStep(actionText: "x"))
        }
        let error = await #expect(throws: TrajectoryError.self) {
            _ = try await store.createRun(NewRun(id: "r2", configJSON: "{oops", modelName: "m", backendKind: "k",
                                                 foragerVersion: "v"))
        }
        #expect(error?.description.hasPrefix("config of run r2 is not valid JSON") == true)
        let generated = try await store.createRun(NewRun(modelName: "m", backendKind: "k", foragerVersion: "v"))
        #expect(generated.id.hasPrefix("run-"))
    }
}

extension EpisodeStart {
    var isAlreadyDone: Bool {
        if case .alreadyDone = self { return true }
        return false
    }
}

@Suite struct EpisodeGradingRecordTests {
    @Test func gradingAndPromptsRecordedAfterTheFactAreCounted() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let id = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "a", source: "forage:psf/requests",
                                                         taskJSON: #"{"instance_id": "a"}"#)).episode.id
        try await store.setPrompts(episode: id, systemPrompt: "S", userPrompt: "U", initialObservation: "<|S|>")
        try await store.appendStep(episode: id, NewStep(actionText: "a", submittedPatch: "diff x"))
        try await store.finishEpisode(id, EpisodeOutcome(status: .finished))
        await #expect(throws: TrajectoryError.episodeClosed(episode: id, status: .finished)) {
            try await store.finishEpisode(id, EpisodeOutcome(status: .failed))
        }
        await #expect(throws: TrajectoryError.self) {
            try await store.recordGrading(episode: id, passed: true, reportJSON: "not json", evalDuration: 1)
        }
        try await store.recordGrading(episode: id, passed: true, reportJSON: #"{"a": {"resolved": true}}"#, evalDuration: 3)
        let episode = try await store.episode(id).episode
        #expect(episode.passed == true)
        #expect(episode.evalDuration == 3)
        #expect(episode.initialObservation == "<|S|>")
        #expect(episode.source == "forage:psf/requests")
        #expect(try await store.counts(run: "r1") == RunCounts(episodes: 1, finished: 1, submitted: 1, resolved: 1,
                                                               errors: 0, unfinished: 0))
        #expect(try await store.episodes(run: "r1", filter: EpisodeFilter(source: "forage:psf/requests")).count == 1)
    }

    @Test func turnCountsCountWellFormedCallsOfKnownTools() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let id = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "a", source: "run")).episode.id
        try await store.appendStep(episode: id, NewStep(actionText: "prose"))
        try await store.appendStep(episode: id, NewStep(actionText: "<tool: bash>\nls\n</tool>", toolName: "bash", toolInput: "ls"))
        try await store.appendStep(episode: id, NewStep(actionText: "<tool: python>\n1\n</tool>", toolName: "python", toolInput: "1"))
        let counts = try await store.turnCounts(run: "r1", tools: ["bash", "submit"])
        #expect(counts.turns == 3 && counts.toolCalls == 1)
        #expect(counts.unexecuted == ["prose"], "the python step named a tool, though not a known one")
    }

    @Test func missingDirectoryGivesAnErrorNamingThePath() async throws {
        let path = "/nonexistent-\(UUID().uuidString)/forager.sqlite"
        let error = await #expect(throws: TrajectoryError.self) { _ = try await TrajectoryStore.open(at: path) }
        #expect(error?.description.contains(path) == true)
    }
}
