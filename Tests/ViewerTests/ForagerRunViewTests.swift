import DockerEngine
import Foundation
import ImageRecipes
import Testing
import Trajectories

let dockerTestsEnabled: @Sendable () async -> Bool = {
    if ProcessInfo.processInfo.environment["FORAGER_REQUIRE_DOCKER"] == "1" { return true }
    return (try? await DockerClient.connect()) != nil && chromiumPath != nil
}

func ensureDemoImages() async throws {
    let client = try await DockerClient.connect()
    let catalog = try RecipeCatalog(directory: packageRoot.appendingPathComponent("Images"))
    let builder = ImageBuilder(client: client)
    for recipe in try catalog.buildOrder(for: ["demo-calc", "demo-ledger"]) where try await client.inspectImage(recipe.tag) == nil {
        _ = try await builder.build(recipe) { _ in }
    }
}

/// `forager view` as a user runs it, on the database a real `forager run` wrote.
@Suite("forager view on a forager run database", .enabled { await dockerTestsEnabled() }, .serialized)
struct ForagerRunViewTests {
    var foragerPath: String { packageRoot.appendingPathComponent(".build/debug/forager").path }

    @Test("pages of a scripted run: the run, its episodes, a graded episode's steps and patch")
    func scriptedRunInBrowser() async throws {
        try await ensureDemoImages()
        let dir = try TempDir()
        defer { dir.remove() }
        let run = try await runProcess(foragerPath, [
            "run", "--tasks", packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl").path,
            "--scripted", packageRoot.appendingPathComponent("Tasks/demo/scripted-agent.jsonl").path, "--model", "tiny",
            "--instance-ids", "demo__calc-1", "demo__ledger-2", "--workers", "2", "--db", dir.dbPath,
            "--run-id", "view-demo", "--json",
        ], timeout: 900)
        try #require(run.status == 0, "forager run exited \(run.status): \(run.output)")

        let server = try ViewProcess(forager: foragerPath, db: dir.dbPath)
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
        let result = try await runProcess(foragerPath, ["view", "--db", "/nonexistent/forager.sqlite", "--port", "0"],
                                          timeout: 60, mergeErrors: true)
        #expect(result.status == 1)
        #expect(result.output.contains("No trajectory database at /nonexistent/forager.sqlite"))
    }
}

/// `forager view --port 0` in a child process: its printed address, then SIGTERM.
final class ViewProcess: @unchecked Sendable {
    private let process = Process()
    private let out = Pipe()

    init(forager: String, db: String) throws {
        process.executableURL = URL(fileURLWithPath: forager)
        process.arguments = ["view", "--db", db, "--port", "0"]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The `http://…/` address from the "forager view: DB on URL" line.
    func url() async throws -> String {
        let handle = out.fileHandleForReading
        let line: String = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var text = ""
                while !text.contains("\n") {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }
        }
        let url = line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return try #require(url.flatMap { $0.hasPrefix("http://") ? $0 : nil }, "forager view printed: \(line)")
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
