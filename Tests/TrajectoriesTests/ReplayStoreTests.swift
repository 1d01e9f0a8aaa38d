import Foundation
import Testing
import TestSupport
@testable import Trajectories

@Suite struct ReplayStoreTests {
    @Test func replaysRoundTripNewestFirstWithTheirSteps() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let episode = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "a__b-1")).episode
        let older = Replay(id: "rp-1", episodeID: episode.id, attempt: 1, mode: .exec,
                           createdAt: Date(timeIntervalSince1970: 1000), steps: 2, matched: 1, mismatched: 1,
                           score: 0.5)
        let newer = Replay(id: "rp-2", episodeID: episode.id, attempt: 1, mode: .model,
                           createdAt: Date(timeIntervalSince1970: 2000), steps: 1, matched: 1, mismatched: 0,
                           score: 1, passed: true, detail: "same patch")
        let steps = [
            ReplayStep(index: 0, status: .exact, recorded: "a", replayed: "a"),
            ReplayStep(index: 1, status: .mismatch, recorded: "b", replayed: "c", diff: "-b\n+c"),
        ]
        try await store.recordReplay(older, steps: steps)
        try await store.recordReplay(newer, steps: [ReplayStep(index: 0, status: .normalized, recorded: "x 1s",
                                                               replayed: "x 2s")])
        let replays = try await store.replays(episode: episode.id)
        #expect(replays == [newer, older])
        #expect(try await store.replaySteps(replay: "rp-1") == steps)
        #expect(try await store.replaySteps(replay: "rp-2").map(\.status) == [.normalized])
    }

    @Test func recordingAReplayOfAnUnknownEpisodeNamesIt() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        var caught: TrajectoryError?
        do {
            try await store.recordReplay(Replay(episodeID: "nope", attempt: 1, mode: .exec, steps: 0, matched: 0,
                                                mismatched: 0, score: 1), steps: [])
        } catch {
            caught = error
        }
        #expect(caught == .episodeNotFound(episode: "nope"))
    }
}
