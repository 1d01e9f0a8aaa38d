import Foundation
import Testing
import TestSupport
@testable import Trajectories

@Suite struct NearDuplicateTests {
    /// A long, varied action sequence; `variant` changes one command in the middle.
    func actions(_ seed: Int, variant: String = "ls -la") -> [String] {
        (0..<30).map { i in
            i == 15 ? "<tool: bash>\n\(variant)\n</tool>"
                : "<tool: bash>\ngrep -n pattern\(seed)_\(i) src/module\(i % 7).py | head -\(i + seed)\n</tool>"
        }
    }

    func addEpisode(_ store: TrajectoryStore, instance: String, repo: String, sample: Int = 0, actions: [String],
                    passed: Bool) async throws {
        let task = #"{"instance_id": "\#(instance)", "repo": "\#(repo)"}"#
        let id = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: instance, sampleIndex: sample, taskJSON: task)).episode.id
        for action in actions {
            try await store.appendStep(episode: id, NewStep(actionText: action, toolName: "bash", observationText: "ok"))
        }
        try await store.finishEpisode(id, EpisodeOutcome(status: .finished, terminalMessage: passed ? "PASSED" : "FAILED", passed: passed))
    }

    @Test("cwm export drops near-duplicates within a repository only, keeps failures, and keeps order")
    func exportDropsNearDuplicatesPerRepository() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        try await addEpisode(store, instance: "calc-1", repo: "demo/calc", actions: actions(1), passed: true)
        try await addEpisode(store, instance: "calc-1", repo: "demo/calc", sample: 1, actions: actions(1, variant: "pwd"), passed: false)
        try await addEpisode(store, instance: "calc-2", repo: "demo/calc", actions: actions(2), passed: false)
        try await addEpisode(store, instance: "ledger-1", repo: "demo/ledger", actions: actions(1), passed: false)

        let data = try await store.exportData(run: "r1")
        let all = CWMExport.lines(data)
        let deduplicated = CWMExport.lines(data, deduplicate: NearDuplicateFilter())
        #expect(all.count == 4)
        #expect(deduplicated.count == 3)
        let kept = NearDuplicateFilter().keep(data.episodes).map { "\($0.episode.instanceID)#\($0.episode.sampleIndex)" }
        #expect(kept == ["calc-1#0", "calc-2#0", "ledger-1#0"])
        // A threshold above the pair's similarity keeps it.
        #expect(NearDuplicateFilter(threshold: 1.0).keep(data.episodes).count == 4)
    }

    @Test("the MinHash estimate tracks the exact Jaccard similarity of the shingle sets")
    func estimateTracksExactJaccard() {
        let filter = NearDuplicateFilter(shingleSize: 1)
        let a = (0..<200).map { "w\($0)" }
        let b = (100..<300).map { "w\($0)" }  // 100 shared of 300: J = 1/3
        let estimate = NearDuplicateFilter.similarity(filter.signature(a.joined(separator: " ")), filter.signature(b.joined(separator: " ")))
        #expect(abs(estimate - 1.0 / 3.0) < 0.15)
        let same = filter.signature(a.joined(separator: " "))
        #expect(NearDuplicateFilter.similarity(same, same) == 1)
        let disjoint = filter.signature((500..<700).map { "w\($0)" }.joined(separator: " "))
        #expect(NearDuplicateFilter.similarity(same, disjoint) < 0.1)
    }
}
