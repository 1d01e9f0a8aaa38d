import Foundation
import Testing
import TestSupport
@testable import Trajectories

/// Issue 16 case 2: output holding a NUL byte is stored and exported whole (GRDB binds and reads
/// text as C strings, which stop at the NUL).
@Suite struct NulByteTests {
    @Test("a step, prompt and patch with NUL bytes read back byte for byte and every export keeps them")
    func nulBytesSurvive() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await TrajectoryStore.open(at: dir.dbPath)
        _ = try await makeRun(store)
        let observation = "one\u{0}two\nthree\n"
        let patch = "diff --git a/x b/x\n+a\u{0}b\n"
        let id = try await store.startEpisode(NewEpisode(runID: "r1", instanceID: "nul-1", systemPrompt: "S\u{0}YS",
                                                         userPrompt: "USER")).episode.id
        try await store.setPrompts(episode: id, systemPrompt: "S\u{0}YS", userPrompt: "USER", initialObservation: "i\u{0}o")
        try await store.appendStep(episode: id, NewStep(
            actionText: "<tool: bash>\nprintf 'one\\x00two\\n'; echo three\n</tool>", toolName: "bash",
            toolInput: "printf 'one\\x00two\\n'; echo three", observationText: observation, actionTokens: 3,
            observationTokens: 5, observationBody: observation))
        try await store.appendStep(episode: id, NewStep(actionText: "<tool: submit>\np\n</tool>", toolName: "submit",
                                                        observationText: "ok", submittedPatch: patch))
        try await store.finishEpisode(id, EpisodeOutcome(status: .finished, terminalMessage: "end\u{0}ed", passed: true,
                                                         submittedPatch: patch))

        let stored = try await store.episode(id)
        #expect(stored.steps.first?.observationText == observation)
        #expect(stored.steps.first?.observationBody == observation)
        #expect(stored.episode.submittedPatch == patch)
        #expect(stored.episode.systemPrompt == "S\u{0}YS")
        #expect(stored.episode.initialObservation == "i\u{0}o")
        #expect(stored.episode.terminalMessage == "end\u{0}ed")

        let data = try await store.exportData(run: "r1")
        let cwm = CWMExport.lines(data).joined(separator: "\n")
        #expect(cwm.contains(#"one\u0000two\nthree\n"#), "\(cwm)")
        let mini = try #require(data.episodes.first.map { MiniExport.trajectory(run: data.run, $0).serialized() })
        #expect(mini.contains(#"one\u0000two\nthree"#))
        let preds = PredsExport.lines(data, sample: 0).joined()
        #expect(preds.contains(#"+a\u0000b"#), "\(preds)")
    }
}
