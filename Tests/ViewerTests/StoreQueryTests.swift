import Foundation
import Testing
import TestSupport
import Trajectories

/// The read-only queries the viewer adds to the store, on a real SQLite file.
@Suite("viewer queries")
struct StoreQueryTests {
    @Test("run summaries count outcomes, turns and tokens per run, newest run first")
    func runSummaries() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        let runs = try await store.runSummaries()
        #expect(runs.map(\.run.id) == ["r-other", "r-main"])
        let main = try #require(runs.last)
        let c = main.counts
        let counts: [Int] = [c.episodes, c.finished, c.submitted, c.resolved, c.errors, c.unfinished]
        #expect(counts == [3, 2, 1, 1, 1, 0])
        #expect(main.turns == 5)
        #expect(main.promptTokens == 900 + 1000 + 1200 + 1400 + 700)
        #expect(main.completionTokens == 17 + 60 + 12 + 8 + 5)
        #expect(runs.first?.counts.unfinished == 1)
    }

    @Test("episode summaries filter by run, outcome, task substring, model and source")
    func episodeFilters() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        func ids(_ query: EpisodeQuery) async throws -> [String] { try await store.episodeSummaries(query).map(\.id) }
        #expect(try await ids(EpisodeQuery()).count == 4)
        #expect(try await ids(EpisodeQuery(outcome: .resolved)) == ["r-main/demo__calc-1/0"])
        #expect(try await ids(EpisodeQuery(outcome: .unresolved)) == ["r-main/demo__ledger-2/0"])
        #expect(try await ids(EpisodeQuery(outcome: .error)) == ["r-main/forage__tool-7/0"])
        #expect(try await ids(EpisodeQuery(outcome: .unfinished)) == ["r-other/demo__calc-1/0"])
        #expect(try await ids(EpisodeQuery(outcome: .ungraded)).isEmpty)
        #expect(try await ids(EpisodeQuery(instance: "CALC")) == ["r-other/demo__calc-1/0", "r-main/demo__calc-1/0"])
        #expect(try await ids(EpisodeQuery(instance: "_")).count == 4, "LIKE wildcards are matched literally")
        #expect(try await ids(EpisodeQuery(instance: "%")).isEmpty)
        #expect(try await ids(EpisodeQuery(model: "smollm2-135m")) == ["r-other/demo__calc-1/0"])
        #expect(try await ids(EpisodeQuery(source: "forage:demo/tool")) == ["r-main/forage__tool-7/0"])
        #expect(try await ids(EpisodeQuery(runID: "r-main", status: .finished)).count == 2)
        #expect(try await ids(EpisodeQuery(limit: 2, offset: 3)).count == 1)

        let calc = try #require(try await store.episodeSummaries(EpisodeQuery(runID: "r-main", instance: "calc")).first)
        #expect(calc.turns == 4 && calc.submitted && calc.passed == true && calc.modelName == "cwm-q8")

        let facets = try await store.episodeFacets()
        #expect(facets.models == ["cwm-q8", "smollm2-135m"])
        #expect(facets.sources == ["forage:demo/tool", "run"])
    }

    @Test("a bad limit is refused, naming it")
    func badLimit() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        var caught: TrajectoryError?
        do { _ = try await store.episodeSummaries(EpisodeQuery(limit: 0)) } catch { caught = error }
        #expect(caught?.description.contains("limit") == true)
    }
}
