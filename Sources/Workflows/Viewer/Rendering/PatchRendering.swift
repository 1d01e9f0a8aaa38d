/// Text blocks with the patches in them highlighted: unified diffs (a submitted patch, `git diff`
/// output, a submission echoed back) line by line, and the edit tool's SEARCH/REPLACE blocks.
/// Every line is escaped; only the wrapping spans are markup.
enum PatchRendering {
    /// A `<pre>` of `text`, with any unified diff in it marked up (`diff-file`, `diff-hunk`,
    /// `diff-add`, `diff-del`) and any SEARCH/REPLACE block marked as deletion then addition.
    /// `isDiff`: the whole text is a diff (no `diff --git` header needed to start marking).
    static func block(_ text: String, cssClass: String = "text", isDiff: Bool = false) -> String {
        "<pre class=\"\(cssClass)\">" + lines(text, isDiff: isDiff) + "</pre>"
    }

    /// Whether `text` contains something `block` highlights.
    static func containsPatch(_ text: String) -> Bool {
        text.contains("diff --git ") || text.contains("\n@@ ") || text.hasPrefix("@@ ")
            || text.contains("<<<<<<< SEARCH")
    }

    private enum Mode { case plain, diff, search, replace }

    static func lines(_ text: String, isDiff: Bool = false) -> String {
        var out = ""
        var mode = isDiff ? Mode.diff : Mode.plain
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            var cssClass: String?
            switch mode {
            case .search, .replace:
                if line.hasPrefix("=======") && mode == .search {
                    mode = .replace
                    cssClass = "diff-marker"
                } else if line.hasPrefix(">>>>>>> REPLACE") {
                    mode = .plain
                    cssClass = "diff-marker"
                } else {
                    cssClass = mode == .search ? "diff-del" : "diff-add"
                }
            case .plain, .diff:
                if line.hasPrefix("<<<<<<< SEARCH") {
                    mode = .search
                    cssClass = "diff-marker"
                } else if startsDiff(line) {
                    mode = .diff
                    cssClass = "diff-file"
                } else if mode == .diff {
                    switch diffLine(line) {
                    case .marked(let diffClass): cssClass = diffClass
                    case .context: break
                    case .end: mode = .plain
                    }
                }
            }
            let body = HTML.escape(line)
            let classes = cssClass.map { "line " + $0 } ?? "line"
            out += "<span class=\"\(classes)\">\(body.isEmpty ? " " : body)</span>"
        }
        return out
    }

    private static func startsDiff(_ line: String) -> Bool {
        line.hasPrefix("diff --git ") || line.hasPrefix("--- a/") || line.hasPrefix("--- /dev/null")
    }

    private enum DiffLine { case marked(String), context, end }

    /// What a line inside a diff is; `.end` when it cannot belong to one.
    private static func diffLine(_ line: String) -> DiffLine {
        if line.hasPrefix("+++ ") || line.hasPrefix("--- ") || line.hasPrefix("diff --git ") { return .marked("diff-file") }
        if line.hasPrefix("@@") { return .marked("diff-hunk") }
        if line.hasPrefix("+") { return .marked("diff-add") }
        if line.hasPrefix("-") { return .marked("diff-del") }
        if line.hasPrefix(" ") || line.isEmpty || line.hasPrefix("\\") { return .context }
        for header in ["index ", "new file mode", "deleted file mode", "old mode", "new mode", "similarity index",
                       "rename from", "rename to", "copy from", "copy to", "Binary files"] where line.hasPrefix(header) {
            return .marked("diff-file")
        }
        return .end
    }
}
