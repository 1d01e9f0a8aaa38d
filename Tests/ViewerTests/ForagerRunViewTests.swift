import Foundation
import Testing
import TestSupport
import Trajectories

/// Docker and a browser: both must be there under FORAGER_REQUIRE_DOCKER=1.
let foragerRunViewEnabled: @Sendable () async -> Bool = {
    if DockerSwitch.required { return true }
    return await DockerSwitch.engineAnswers() && chromiumPath != nil
}

/// `forager view` as a user runs it, on the database a real `forager run` wrote.
@Suite("forager view on a forager run database", .enabled { await foragerRunViewEnabled() }, .serialized)
struct ForagerRunViewTests {
    var foragerPath: String { get throws { try ForagerLauncher.executable().path } }

    @Test("pages of a scripted run: the run, its episodes, a graded episode's steps and patch")
    func scriptedRunInBrowser() async throws {
        try await ensureDemoImages()
        let dir = try TempDir()
        defer { dir.remove() }
        let run = try await runProcess(try foragerPath, [
            "run", "--tasks", packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl").path,
            "--scripted", packageRoot.appendingPathComponent("Tasks/demo/scripted-agent.jsonl").path, "--model", "tiny",
            "--instance-ids", "demo__calc-1", "demo__ledger-2", "--workers", "2", "--db", dir.dbPath,
            "--run-id", "view-demo", "--json",
        ], timeout: 900)
        try #require(run.status == 0, "forager run exited \(run.status): \(run.output)")

        let server = try ViewProcess(db: dir.dbPath)
        defer { server.stop() }
        let base = try await server.url()
        #expect(base.hasPrefix("http://127.0.0.1:"))

        let runs = try await Browser.dumpDOM(base)
        #expect(runs.contains("data-run-id=\"view-demo\""))

        let runPage = try await Browser.dumpDOM(base + "run?id=view-demo")
        #expect(runPage.contains("<span id=\"resolved-rate\">2 of 2 · 100.0%</span>"))
        #expect(runPage.contains("id=\"chart-turns\"") && runPage.contains("id=\"chart-tokens\""))
        #expect(rows(runPage).sorted() == ["view-demo/demo__calc-1/0", "view-demo/demo__ledger-2/0"])
        try await Browser.screenshot(base + "run?id=view-demo", name: "forager-run-run")

        let episodeURL = base + "episode?id=view-demo%2Fdemo__calc-1%2F0"
        let episode = try await Browser.dumpDOM(episodeURL)
        #expect(episode.contains("class=\"step tool-bash\" id=\"step-0\""))
        #expect(episode.contains("class=\"step tool-create\""))
        #expect(episode.contains("class=\"step tool-submit\""))
        let patch = try #require(section(of: episode, from: "<pre class=\"patch submitted-patch\">", to: "</pre>"))
        #expect(patch.contains("<span class=\"line diff-file\">diff --git a/calc/parser.py b/calc/parser.py</span>"))
        #expect(patch.contains("class=\"line diff-add\"") && patch.contains("class=\"line diff-del\""))
        try await Browser.screenshot(episodeURL, name: "forager-run-episode")

        let resolved = try await Browser.dumpDOM(base + "episodes?run=view-demo&outcome=unresolved")
        #expect(rows(resolved).isEmpty && resolved.contains("No episodes match."))
    }

    @Test("forager view refuses a missing database, naming it")
    func missingDatabase() async throws {
        let result = try await runProcess(try foragerPath, ["view", "--db", "/nonexistent/forager.sqlite", "--port", "0"],
                                          timeout: 60, mergeErrors: true)
        #expect(result.status == 1)
        #expect(result.output.contains("No trajectory database at /nonexistent/forager.sqlite"))
    }
}

/// `forager view --port 0` in a child process: its printed address, then SIGKILL.
final class ViewProcess: Sendable {
    private let child: ChildProcess

    init(db: String) throws {
        child = try ForagerLauncher.launch(["view", "--db", db, "--port", "0"])
    }

    /// The `http://…/` address from the "forager view: DB on URL" line.
    func url() async throws -> String {
        let line = await child.firstLine()
        let url = line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return try #require(url.flatMap { $0.hasPrefix("http://") ? $0 : nil }, "forager view printed: \(line)")
    }

    func stop() { child.kill() }
}
