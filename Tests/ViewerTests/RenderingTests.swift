import Testing
@testable import Viewer

@Suite("viewer rendering")
struct RenderingTests {
    @Test("text is escaped, markup characters and quotes included")
    func escaping() {
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTML.query([("id", "r/a b&c"), ("empty", ""), ("none", nil)]) == "?id=r%2Fa%20b%26c")
    }

    @Test("a unified diff is marked line by line and ends where the diff ends")
    func unifiedDiff() {
        let text = "before\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old <b>\n+new\n context\nafter"
        let html = PatchRendering.lines(text)
        #expect(html.contains("<span class=\"line\">before</span>"))
        #expect(html.contains("<span class=\"line diff-file\">diff --git a/x b/x</span>"))
        #expect(html.contains("<span class=\"line diff-file\">+++ b/x</span>"))
        #expect(html.contains("<span class=\"line diff-hunk\">@@ -1 +1 @@</span>"))
        #expect(html.contains("<span class=\"line diff-del\">-old &lt;b&gt;</span>"))
        #expect(html.contains("<span class=\"line diff-add\">+new</span>"))
        #expect(html.contains("<span class=\"line\"> context</span>"))
        #expect(html.contains("<span class=\"line\">after</span>"))
    }

    @Test("an edit's SEARCH lines are deletions and its REPLACE lines additions")
    func searchReplace() {
        let html = PatchRendering.lines("<tool: edit>\nf.py\n<<<<<<< SEARCH\n-x = 1\n=======\nx = 2\n>>>>>>> REPLACE\n</tool>")
        #expect(html.contains("<span class=\"line diff-del\">-x = 1</span>"))
        #expect(html.contains("<span class=\"line diff-add\">x = 2</span>"))
        #expect(html.contains("<span class=\"line\">&lt;/tool&gt;</span>"))
        #expect(html.contains("<span class=\"line\">f.py</span>"))
    }

    @Test("query strings decode + and percent escapes; empty fields count as absent; bad values are named")
    func queryParameters() throws {
        let parameters = QueryParameters("task=a+b%2Fc&model=&outcome=resolved")
        #expect(parameters["task"] == "a b/c")
        #expect(parameters["model"] == nil)
        let query = try parameters.episodeQuery()
        #expect(query.outcome == .resolved && query.instance == "a b/c" && query.model == nil)
        var caught: ViewerError?
        do { _ = try QueryParameters("status=done").episodeQuery() } catch { caught = error }
        #expect(caught?.description == "query parameter status=done is not valid; expected running, finished, failed, infra_error, interrupted")
    }

    @Test("only loopback hosts count as loopback; IPv6 addresses are bracketed in URLs")
    func hosts() {
        #expect(ViewerServer.isLoopback("127.0.0.1") && ViewerServer.isLoopback("localhost") && ViewerServer.isLoopback("::1"))
        #expect(!ViewerServer.isLoopback("0.0.0.0") && !ViewerServer.isLoopback("192.168.1.2"))
        #expect(ViewerServer.url(host: "::1", port: 80) == "http://[::1]:80/")
        #expect(ViewerServer.url(host: "127.0.0.1", port: 8080) == "http://127.0.0.1:8080/")
    }
}
