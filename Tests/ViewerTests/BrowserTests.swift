import Foundation
import Testing
import TestSupport
import Trajectories
@testable import Viewer

/// The pages as a browser gets them: headless Chromium loads each one from the in-process server,
/// the test reads the DOM it built, and a screenshot is kept under .build/viewer-screenshots/.
@Suite("forager view in a browser", .enabled { await browserTestsEnabled() }, .serialized)
struct BrowserTests {
    @Test("the runs page lists every run with its resolved rate and a chart")
    func runsPage() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        try await withViewer(store) { base in
            let dom = try await Browser.dumpDOM(base + "/")
            #expect(dom.contains("<title>Runs · forager view</title>"))
            #expect(dom.contains("data-run-id=\"r-main\""))
            #expect(dom.contains("data-run-id=\"r-other\""))
            #expect(dom.contains("<svg class=\"chart\" id=\"chart-resolved-by-run\""))
            #expect(dom.contains("33.3%"), "r-main resolved 1 of 3")
            // Newest run first.
            let main = try #require(dom.range(of: "data-run-id=\"r-main\""))
            let other = try #require(dom.range(of: "data-run-id=\"r-other\""))
            #expect(other.lowerBound < main.lowerBound)
            try await Browser.screenshot(base + "/", name: "runs")
        }
    }

    @Test("a run's page has its charts: outcomes, turns and tokens per episode")
    func runPage() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        try await withViewer(store) { base in
            let url = base + "/run?id=r-main"
            let dom = try await Browser.dumpDOM(url)
            for chart in ["chart-outcomes", "chart-turns", "chart-tokens"] {
                #expect(dom.contains("<svg class=\"chart\" id=\"\(chart)\""), "missing \(chart)")
            }
            #expect(dom.contains("<span id=\"resolved-rate\">1 of 3 · 33.3%</span>"))
            // One bar per episode in the turns chart, the tallest (4 turns) reaching the top.
            let turns = try #require(section(of: dom, from: "id=\"chart-turns\"", to: "</svg>"))
            #expect(turns.components(separatedBy: "<g class=\"bar\">").count - 1 == 3)
            #expect(turns.contains("<title>demo__calc-1: turns 4</title>"))
            #expect(dom.contains("data-episode-id=\"r-main/demo__calc-1/0\""))
            #expect(!dom.contains("data-episode-id=\"r-other/demo__calc-1/0\""))
            try await Browser.screenshot(url, name: "run")
        }
    }

    @Test("the episodes page filters by outcome, task, model and source")
    func episodeFilters() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        try await withViewer(store) { base in
            let all = try await Browser.dumpDOM(base + "/episodes")
            #expect(rows(all).count == 4)

            let resolved = try await Browser.dumpDOM(base + "/episodes?outcome=resolved")
            #expect(rows(resolved) == ["r-main/demo__calc-1/0"])
            #expect(resolved.contains("<option value=\"resolved\" selected=\"\">resolved</option>"))

            let byTask = try await Browser.dumpDOM(base + "/episodes?task=calc")
            #expect(Set(rows(byTask)) == ["r-main/demo__calc-1/0", "r-other/demo__calc-1/0"])

            let byModel = try await Browser.dumpDOM(base + "/episodes?model=smollm2-135m&task=calc")
            #expect(rows(byModel) == ["r-other/demo__calc-1/0"])

            let bySource = try await Browser.dumpDOM(base + "/episodes?source=forage%3Ademo%2Ftool")
            #expect(rows(bySource) == ["r-main/forage__tool-7/0"])
            #expect(bySource.contains("data-outcome=\"error\""))

            // The form's own encoding (spaces as +, empty fields) works the same.
            let fromForm = try await Browser.dumpDOM(base + "/episodes?run=r-main&outcome=&task=+ledger+&model=&source=")
            #expect(rows(fromForm) == ["r-main/demo__ledger-2/0"])

            let bad = try await Browser.dumpDOM(base + "/episodes?outcome=great")
            #expect(bad.contains("query parameter outcome=great is not valid"))
            try await Browser.screenshot(base + "/episodes?task=calc", name: "episodes-filtered")
        }
    }

    @Test("an episode's page shows each step, the patches highlighted, and escapes what the agent saw")
    func episodePage() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        try await withViewer(store) { base in
            let url = base + "/episode?id=r-main%2Fdemo__calc-1%2F0"
            let dom = try await Browser.dumpDOM(url)
            for index in 0..<4 { #expect(dom.contains("id=\"step-\(index)\""), "missing step \(index)") }
            #expect(dom.contains("<section class=\"step tool-edit\" id=\"step-1\""))
            #expect(dom.contains("<section class=\"step terminal\" id=\"step-3\""))
            #expect(dom.contains("cat calc/parser.py"))
            // Edit blocks: search lines as deletions, replacement lines as additions.
            #expect(dom.contains("<span class=\"line diff-del\">    return text.split(\"+\")</span>"))
            #expect(dom.contains("<span class=\"line diff-add\">    return [t.strip() for t in text.split(\"+\")]</span>"))
            // The submission echoed back and the submitted patch: unified diff lines marked.
            let submitted = try #require(section(of: dom, from: "<pre class=\"patch submitted-patch\">", to: "</pre>"))
            #expect(submitted.contains("<span class=\"line diff-file\">diff --git a/calc/parser.py b/calc/parser.py</span>"))
            #expect(submitted.contains("<span class=\"line diff-hunk\">@@ -1,3 +1,3 @@</span>"))
            #expect(submitted.contains("<span class=\"line diff-del\">-    return text.split(\"+\")</span>"))
            #expect(submitted.contains("<span class=\"line diff-add\">+    return [t.strip() for t in text.split(\"+\")]</span>"))
            let submitStep = try #require(section(of: dom, from: "id=\"step-2\"", to: "</section>"))
            #expect(submitStep.contains("diff-add"))
            // The observation's <script> is text, not an element.
            #expect(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"))
            #expect(!dom.contains("<script>alert"))
            #expect(dom.contains("Final answer"))
            // The newest replay: its score, and step 2 (only) marked as a mismatch with its diff.
            #expect(dom.contains("<dd id=\"replay-score\">0.75</dd>"))
            #expect(dom.contains("<span id=\"replay-mismatched\">1 mismatched</span>"))
            #expect(dom.contains("<section class=\"step tool-submit step-mismatch\" id=\"step-2\""))
            #expect(submitStep.contains("<span class=\"replay-mark replay-mismatch\">replay mismatch</span>"))
            #expect(submitStep.contains("<span class=\"line diff-del\">-patch v1</span>"))
            #expect(submitStep.contains("<span class=\"line diff-add\">+patch v2</span>"))
            #expect(dom.components(separatedBy: " step-mismatch\" id=\"step-").count - 1 == 1)
            #expect(dom.contains("<span class=\"replay-mark replay-normalized\">replay normalized</span>"))
            #expect(dom.contains("<a href=\"#step-2\" class=\"chip chip-mismatch\">3 submit</a>"))
            try await Browser.screenshot(url, name: "episode")

            // An episode never replayed has no replay section.
            let other = try await Browser.dumpDOM(base + "/episode?id=r-main%2Fdemo__ledger-2%2F0")
            #expect(other.contains("id=\"step-0\""))
            #expect(!other.contains("id=\"replay-summary\"") && !other.contains(" step-mismatch\" id=\"step-"))

            let missing = try await Browser.dumpDOM(base + "/episode?id=nope")
            #expect(missing.contains("episode nope not found"))
        }
    }

    @Test("the JSON API returns runs, filtered episodes and one episode's steps")
    func jsonAPI() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try await makeFixtureStore(at: dir.dbPath)
        try await withViewer(store) { base in
            let runs = try await fetchJSON(base + "/api/runs") as? [[String: Any]]
            #expect(runs?.map { $0["id"] as? String } == ["r-other", "r-main"])
            #expect(runs?.last?["resolved"] as? Int == 1)
            #expect(runs?.last?["turns"] as? Int == 5)

            let unresolved = try await fetchJSON(base + "/api/episodes?outcome=unresolved") as? [[String: Any]]
            #expect(unresolved?.map { $0["instance_id"] as? String } == ["demo__ledger-2"])

            let episode = try await fetchJSON(base + "/api/episode?id=r-main/demo__calc-1/0") as? [String: Any]
            let steps = episode?["steps"] as? [[String: Any]]
            #expect(steps?.map { $0["tool_name"] as? String } == ["bash", "edit", "submit", nil])
            #expect(steps?.map { $0["replay_status"] as? String } == ["exact", "normalized", "mismatch", "exact"])
            #expect(episode?["replay_score"] as? Double == 0.75)
            #expect(episode?["outcome"] as? String == "resolved")

            let bad = try await fetchJSON(base + "/api/episodes?limit=0") as? [String: Any]
            #expect((bad?["error"] as? String)?.contains("limit=0") == true)
        }
    }
}

/// The episode ids of the table rows, in order.
func rows(_ dom: String) -> [String] {
    dom.components(separatedBy: "class=\"episode-row\" data-episode-id=\"").dropFirst().compactMap { part in
        part.split(separator: "\"", maxSplits: 1).first.map(String.init)
    }
}

func section(of text: String, from start: String, to end: String) -> String? {
    guard let lower = text.range(of: start) else { return nil }
    guard let upper = text.range(of: end, range: lower.upperBound..<text.endIndex) else { return nil }
    return String(text[lower.lowerBound..<upper.upperBound])
}

/// A GET through Chromium-independent plumbing: URLSession is not used (FoundationNetworking may
/// be absent); curl from Debian is, as Scripts/setup installs it.
func fetchJSON(_ url: String) async throws -> Any {
    let result = try await runProcess("/usr/bin/curl", ["-s", url], timeout: 60)
    #expect(result.status == 0, "curl \(url) exited \(result.status)")
    return try JSONSerialization.jsonObject(with: Data(result.output.utf8))
}
