import Foundation
import Hummingbird
import Trajectories

/// The pages and the JSON API over one store. Every handler only reads.
struct Routes: Sendable {
    let store: TrajectoryStore

    /// `localHostsOnly`: answer only local `Host` names (the viewer on loopback); the check comes
    /// first, as middleware applies only to the routes added after it.
    func router(localHostsOnly: Bool = false) -> Router<BasicRequestContext> {
        let router = Router()
        if localHostsOnly { router.add(middleware: LoopbackHostCheck()) }
        router.get("/") { _, _ in await page { () async throws(ViewerError) in try await runsPage() } }
        router.get("/runs") { _, _ in await page { () async throws(ViewerError) in try await runsPage() } }
        router.get("/run") { request, _ in
            await page { () async throws(ViewerError) in try await runPage(QueryParameters(request.uri.query)) }
        }
        router.get("/episodes") { request, _ in
            await page { () async throws(ViewerError) in try await episodesPage(QueryParameters(request.uri.query)) }
        }
        router.get("/episode") { request, _ in
            await page { () async throws(ViewerError) in try await episodePage(QueryParameters(request.uri.query)) }
        }
        router.get("/traces") { request, _ in
            await page { () async throws(ViewerError) in try await tracesPage(QueryParameters(request.uri.query)) }
        }
        router.get("/trace") { request, _ in
            await page { () async throws(ViewerError) in try await tracePage(QueryParameters(request.uri.query)) }
        }
        router.get("/api/trace") { request, _ in
            await json { () async throws(ViewerError) in try await traceJSON(QueryParameters(request.uri.query)) }
        }
        router.get("/api/runs") { _, _ in await json { () async throws(ViewerError) in try await runsJSON() } }
        router.get("/api/episodes") { request, _ in
            await json { () async throws(ViewerError) in try await episodesJSON(QueryParameters(request.uri.query)) }
        }
        router.get("/api/episode") { request, _ in
            await json { () async throws(ViewerError) in try await episodeJSON(QueryParameters(request.uri.query)) }
        }
        return router
    }

    // MARK: Pages

    private func runsPage() async throws(ViewerError) -> String {
        RunsPage.render(try await load { () async throws(TrajectoryError) in try await store.runSummaries() },
                        databasePath: store.path)
    }

    private func runPage(_ parameters: QueryParameters) async throws(ViewerError) -> String {
        guard let id = parameters["id"] else { throw .missingParameter(name: "id", page: "/run") }
        let summary = try await runSummary(id)
        let episodes = try await load { () async throws(TrajectoryError) in
            try await store.episodeSummaries(EpisodeQuery(runID: id, limit: 10_000))
        }
        return RunPage.render(summary, episodes: episodes)
    }

    private func episodesPage(_ parameters: QueryParameters) async throws(ViewerError) -> String {
        let query = try parameters.episodeQuery()
        let store = self.store
        let (episodes, runs, facets) = try await load { () async throws(TrajectoryError) in
            (try await store.episodeSummaries(query), try await store.runSummaries(), try await store.episodeFacets())
        }
        return EpisodesPage.render(episodes, query: query, runs: runs, facets: facets)
    }

    private func episodePage(_ parameters: QueryParameters) async throws(ViewerError) -> String {
        guard let id = parameters["id"] else { throw .missingParameter(name: "id", page: "/episode") }
        let store = self.store
        let detail = try await load { () async throws(TrajectoryError) in try await store.episode(id) }
        let run = try? await store.run(detail.episode.runID)
        let replay = try await ReplayMarks.latest(in: store, episode: detail.episode)
        return EpisodePage.render(detail, run: run, replay: replay)
    }

    private func tracesPage(_ parameters: QueryParameters) async throws(ViewerError) -> String {
        let batch = parameters["batch"]
        let store = self.store
        return TracesPage.render(try await load { () async throws(TrajectoryError) in try await store.traceSummaries(batch: batch) },
                                 batch: batch)
    }

    private func tracePage(_ parameters: QueryParameters) async throws(ViewerError) -> String {
        let trace = try await storedTrace(parameters, page: "/trace")
        var step: Int?
        if let text = parameters["step"] {
            guard let n = Int(text), n >= 1 else { throw .badParameter(name: "step", value: text, expected: "a frame number from 1") }
            step = n
        }
        return TracePage.render(trace, step: step)
    }

    private func storedTrace(_ parameters: QueryParameters, page: String) async throws(ViewerError) -> TraceRecord {
        guard let id = parameters["id"] else { throw .missingParameter(name: "id", page: page) }
        let store = self.store
        guard let trace = try await load({ () async throws(TrajectoryError) in try await store.trace(id: id) }) else {
            throw .traceNotFound(id)
        }
        return trace
    }

    // MARK: JSON

    private func traceJSON(_ parameters: QueryParameters) async throws(ViewerError) -> Data {
        API.encode(API.TraceJSON(try await storedTrace(parameters, page: "/api/trace")))
    }

    private func runsJSON() async throws(ViewerError) -> Data {
        let store = self.store
        let runs = try await load { () async throws(TrajectoryError) in try await store.runSummaries() }
        return API.encode(runs.map(API.RunJSON.init))
    }

    private func episodesJSON(_ parameters: QueryParameters) async throws(ViewerError) -> Data {
        let query = try parameters.episodeQuery()
        let store = self.store
        let episodes = try await load { () async throws(TrajectoryError) in try await store.episodeSummaries(query) }
        return API.encode(episodes.map(API.EpisodeJSON.init))
    }

    private func episodeJSON(_ parameters: QueryParameters) async throws(ViewerError) -> Data {
        guard let id = parameters["id"] else { throw .missingParameter(name: "id", page: "/api/episode") }
        let store = self.store
        let detail = try await load { () async throws(TrajectoryError) in try await store.episode(id) }
        let replay = try await ReplayMarks.latest(in: store, episode: detail.episode)
        return API.encode(API.EpisodeDetailJSON(detail, replay: replay))
    }

    // MARK: Helpers

    private func runSummary(_ id: String) async throws(ViewerError) -> RunSummary {
        let store = self.store
        let runs = try await load { () async throws(TrajectoryError) in try await store.runSummaries() }
        guard let summary = runs.first(where: { $0.run.id == id }) else { throw .store(.runNotFound(run: id)) }
        return summary
    }

    private func load<T>(_ body: () async throws(TrajectoryError) -> T) async throws(ViewerError) -> T {
        do { return try await body() } catch { throw .store(error) }
    }

    private func page(_ body: () async throws(ViewerError) -> String) async -> Response {
        do {
            return Self.response(status: .ok, contentType: "text/html; charset=utf-8", body: Data(try await body().utf8))
        } catch {
            let html = HTML.page(title: "Error", body: "<h1>Error</h1><p class=\"notice\" id=\"error\">\(HTML.escape(error.description))</p>"
                + "<p><a href=\"/\">All runs</a></p>")
            return Self.response(status: .init(code: error.httpStatus), contentType: "text/html; charset=utf-8", body: Data(html.utf8))
        }
    }

    private func json(_ body: () async throws(ViewerError) -> Data) async -> Response {
        do {
            return Self.response(status: .ok, contentType: "application/json", body: try await body())
        } catch {
            return Self.response(status: .init(code: error.httpStatus), contentType: "application/json",
                                 body: API.encode(API.ErrorJSON(error: error.description)))
        }
    }

    private static func response(status: HTTPResponse.Status, contentType: String, body: Data) -> Response {
        var buffer = ByteBuffer()
        buffer.writeBytes(body)
        return Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
                        body: ResponseBody(byteBuffer: buffer))
    }
}
