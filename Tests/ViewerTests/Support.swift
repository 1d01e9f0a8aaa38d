import Foundation
import Testing
import TestSupport
import Trajectories
@testable import Viewer

/// Where the browser tests keep their screenshots (printed by each test).
let screenshotDirectory = packageRoot.appendingPathComponent(".build/viewer-screenshots")

/// Debian's chromium, found on PATH.
let chromiumPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        for name in ["chromium", "chromium-browser"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
    }
    return nil
}()

/// Browser tests run when chromium is installed, and must run (failing without it) under
/// FORAGER_REQUIRE_DOCKER=1, where Scripts/setup has installed it.
let browserTestsEnabled: @Sendable () async -> Bool = { DockerSwitch.required || chromiumPath != nil }

/// A process's exit status and standard output, run from the package root; killed after
/// `timeout` (that only catches hangs). `mergeErrors`: standard error goes to the output too
/// (otherwise it is dropped).
func runProcess(_ executable: String, _ arguments: [String], timeout: TimeInterval = 180,
                mergeErrors: Bool = false) async throws -> (status: Int32, output: String) {
    let child = try ChildProcess(URL(fileURLWithPath: executable), arguments, directory: packageRoot,
                                 errors: mergeErrors ? .capture : .discard)
    let result = await child.finish(timeout: .seconds(timeout))
    return (result.status, result.output)
}

/// Headless Chromium from Debian: the DOM after the page loaded, and a screenshot of it.
enum Browser {
    static func binary() throws -> String {
        try #require(chromiumPath, "chromium is not installed (Scripts/setup installs it: apt-get install chromium)")
    }

    static func baseArguments(profile: String) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--user-data-dir=\(profile)"]
    }

    static func dumpDOM(_ url: String) async throws -> String {
        let profile = try TempDir()
        defer { profile.remove() }
        let result = try await runProcess(try binary(), baseArguments(profile: profile.path) + ["--dump-dom", url])
        #expect(result.status == 0, "chromium --dump-dom \(url) exited \(result.status)")
        return result.output
    }

    /// Saves a 1280×900 screenshot of `url` as `<screenshotDirectory>/<name>.png` and returns its path.
    @discardableResult
    static func screenshot(_ url: String, name: String) async throws -> String {
        try FileManager.default.createDirectory(at: screenshotDirectory, withIntermediateDirectories: true)
        let path = screenshotDirectory.appendingPathComponent("\(name).png").path
        try? FileManager.default.removeItem(atPath: path)
        let profile = try TempDir()
        defer { profile.remove() }
        let result = try await runProcess(try binary(), baseArguments(profile: profile.path)
            + ["--hide-scrollbars", "--window-size=1280,900", "--screenshot=\(path)", url])
        #expect(result.status == 0, "chromium --screenshot \(url) exited \(result.status)")
        #expect(FileManager.default.fileExists(atPath: path), "no screenshot at \(path)")
        print("forager view screenshot: \(path)")
        return path
    }
}

/// The viewer serving `store` on 127.0.0.1 (a free port) while `body` runs.
func withViewer<T: Sendable>(_ store: TrajectoryStore,
                             _ body: @Sendable (_ baseURL: String) async throws -> T) async throws -> T {
    let (urls, continuation) = AsyncStream.makeStream(of: String.self)
    let server = Task {
        do {
            try await ViewerServer(store: store).run(host: "127.0.0.1", port: 0) { url in continuation.yield(url) }
        } catch {
            continuation.finish()
            throw error
        }
    }
    var iterator = urls.makeAsyncIterator()
    guard let url = await iterator.next() else {
        _ = try await server.value
        throw ViewerError.listen(host: "127.0.0.1", port: 0, reason: "the server stopped before listening")
    }
    let base = url.hasSuffix("/") ? String(url.dropLast()) : url
    let result: Result<T, any Error>
    do { result = .success(try await body(base)) } catch { result = .failure(error) }
    server.cancel()
    _ = await server.result  // cancellation shuts the server down; a hang here is a bug
    return try result.get()
}

/// Two runs, four episodes, steps with a search/replace edit, a submission, an HTML-looking
/// observation (must come out escaped), a grading, and two replays of the graded episode.
func makeFixtureStore(at path: String) async throws -> TrajectoryStore {
    let store = try await TrajectoryStore.open(at: path)
    let base = Date(timeIntervalSince1970: 1_790_000_000)
    try await store.createRun(NewRun(id: "r-main", configJSON: #"{"max_turns": 32}"#, modelName: "cwm-q8",
                                     backendKind: "local", foragerVersion: "0.1.0", tasksFile: "Tasks/demo/tasks.jsonl"),
                              at: base)
    try await store.createRun(NewRun(id: "r-other", modelName: "smollm2-135m", backendKind: "openai",
                                     foragerVersion: "0.1.0"), at: base.addingTimeInterval(3600))

    let patch = """
        diff --git a/calc/parser.py b/calc/parser.py
        --- a/calc/parser.py
        +++ b/calc/parser.py
        @@ -1,3 +1,3 @@
         def parse(text):
        -    return text.split("+")
        +    return [t.strip() for t in text.split("+")]
        """
    let resolved = try await store.startEpisode(NewEpisode(runID: "r-main", instanceID: "demo__calc-1",
                                                           systemPrompt: "You are a coding agent.",
                                                           userPrompt: "Fix the parser."), at: base).episode
    try await store.appendStep(episode: resolved.id, NewStep(
        actionText: "Let me look.\n<tool: bash>\ncat calc/parser.py\n</tool>", toolName: "bash",
        toolInput: "cat calc/parser.py", observationText: "<output>def parse(text): ...</output>",
        actionTokens: 17, promptTokens: 900, modelDuration: 1.5, toolDuration: 0.2,
        observationBody: "<output>\ndef parse(text):\n    return text.split(\"+\")\n<script>alert('x')</script>\n</output>"))
    try await store.appendStep(episode: resolved.id, NewStep(
        actionText: "<tool: edit>\ncalc/parser.py\n<<<<<<< SEARCH\n    return text.split(\"+\")\n=======\n    return [t.strip() for t in text.split(\"+\")]\n>>>>>>> REPLACE\n</tool>",
        toolName: "edit", observationText: "File calc/parser.py has been successfully updated.",
        actionTokens: 60, promptTokens: 1000))
    try await store.appendStep(episode: resolved.id, NewStep(
        actionText: "<tool: submit>\nfix.patch\n</tool>", toolName: "submit", toolInput: "fix.patch",
        observationText: "The following patch content is marked as your final submission:\n\n<submission>\n\(patch)\n</submission>\n\nReview the patch content.",
        actionTokens: 12, promptTokens: 1200, submittedPatch: patch))
    try await store.appendStep(episode: resolved.id, NewStep(actionText: "The parser now strips whitespace.",
                                                             actionTokens: 8, promptTokens: 1400))
    try await store.finishEpisode(resolved.id, EpisodeOutcome(status: .finished, terminalMessage: "Final answer",
                                                              passed: true, gradingJSON: #"{"demo__calc-1": {"resolved": true}}"#,
                                                              evalDuration: 3.25))

    // An older replay, then the newest: step 2's observation came out different.
    try await store.recordReplay(Replay(id: "replay-old", episodeID: resolved.id, attempt: 1, mode: .exec,
                                        createdAt: base.addingTimeInterval(60), steps: 4, matched: 4, mismatched: 0, score: 1),
                                 steps: (0..<4).map { ReplayStep(index: $0, status: .exact, recorded: "x", replayed: "x") })
    try await store.recordReplay(Replay(id: "replay-new", episodeID: resolved.id, attempt: 1, mode: .exec,
                                        createdAt: base.addingTimeInterval(120), steps: 4, matched: 3, mismatched: 1, score: 0.75),
                                 steps: [
                                     ReplayStep(index: 0, status: .exact, recorded: "a", replayed: "a"),
                                     ReplayStep(index: 1, status: .normalized, recorded: "t=1", replayed: "t=2"),
                                     ReplayStep(index: 2, status: .mismatch, recorded: "patch v1", replayed: "patch v2",
                                                diff: "--- recorded\n+++ replayed\n@@ -1 +1 @@\n-patch v1\n+patch v2"),
                                     ReplayStep(index: 3, status: .exact, recorded: nil, replayed: nil),
                                 ])

    let unresolved = try await store.startEpisode(NewEpisode(runID: "r-main", instanceID: "demo__ledger-2"), at: base).episode
    try await store.appendStep(episode: unresolved.id, NewStep(actionText: "<tool: bash>\nls\n</tool>", toolName: "bash",
                                                               observationText: "ledger.py", actionTokens: 5, promptTokens: 700))
    try await store.finishEpisode(unresolved.id, EpisodeOutcome(status: .finished, terminalMessage: "Max turns reached", passed: false))

    let foraged = try await store.startEpisode(NewEpisode(runID: "r-main", instanceID: "forage__tool-7", source: "forage:demo/tool"), at: base).episode
    try await store.finishEpisode(foraged.id, EpisodeOutcome(status: .failed, terminalMessage: "backend failed"))

    let other = try await store.startEpisode(NewEpisode(runID: "r-other", instanceID: "demo__calc-1"), at: base).episode
    try await store.appendStep(episode: other.id, NewStep(actionText: "<tool: bash>\npwd\n</tool>", toolName: "bash",
                                                          observationText: "/repo", actionTokens: 4, promptTokens: 300))
    return store
}
