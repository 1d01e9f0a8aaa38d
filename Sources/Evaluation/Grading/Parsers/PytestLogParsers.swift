/// SWE-bench's pytest-family parsers (`swebench/harness/log_parsers/python.py`), on the `-rA`
/// short-test-summary lines (`PASSED path::test`, `FAILED path::test - message`).

/// `pytest` (also flask, marshmallow, pvlib, xarray, astroid, pyvista, sqlfluff, pytest-dev):
/// a line starting with a status word; on a FAILED line `" - "` becomes `" "` first; with at least
/// two whitespace fields, field 1 → field 0. The last occurrence wins. A parametrised id holding a space
/// is cut at it (`test_w[a b]` → `test_w[a`), as in SWE-bench's datasets.
public struct PytestLogParser: TestLogParser {
    public let name: String
    public init(name: String = "pytest") { self.name = name }

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        for line in LogText.lines(log) { Self.summaryLine(line, into: &out) }
        return out.map
    }

    /// One summary line (shared by the pytest variants); returns whether the line started with a status.
    @discardableResult
    static func summaryLine<S: StringProtocol>(_ line: S, into out: inout StatusMapBuilder,
                                               key transform: (Substring) -> String = { String($0) }) -> Bool {
        guard LogText.startsWithStatus(line) else { return false }
        var text = String(line)
        if LogText.starts(text, with: TestStatus.failed.rawValue) { text = LogText.replace(text, " - ", " ") }
        let f = LogText.fields(text)
        if f.count >= 2 { out.set(transform(f[1]), token: f[0]) }
        return true
    }
}

/// `pytest_options` (requests, pydicom, pylint): as `pytest`, but an id `name[opt]` whose option starts
/// with `/` (not `//`) and holds no `*` becomes `name[/<last path component>]`. The split is Python's
/// `(.*?)\[(.*)\]`: the first `[` and the last `]`.
public struct PytestOptionsLogParser: TestLogParser {
    public let name = "pytest_options"
    public init() {}

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        for line in LogText.lines(log) {
            PytestLogParser.summaryLine(line, into: &out, key: Self.reduceOption)
        }
        return out.map
    }

    static func reduceOption(_ id: Substring) -> String {
        let s = Array(id.unicodeScalars)
        guard let open = s.firstIndex(of: "["), let close = s.lastIndex(of: "]"), close > open else { return String(id) }
        let main = String(String.UnicodeScalarView(s[..<open]))
        var option = String(String.UnicodeScalarView(s[(open + 1)..<close]))
        if option.hasPrefix("/"), !option.hasPrefix("//"), !option.contains("*") {
            option = "/" + (option.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "")
        }
        return "\(main)[\(option)]"
    }
}

/// `pytest_v2` (astropy, scikit-learn, sphinx): each line first loses `[<digits>m` (ANSI colour codes)
/// and every control character U+0001…U+001F (tabs and `\r` too). Then: a line starting with a status
/// → as `pytest`; else a line ending with a status word → field 0 → field 1; else a line containing a
/// status word anywhere → field 0 → field 1 (so `-v` lines `id STATUS [ 50%]` count, and so does
/// pytest's `___ ERROR at setup of t ___` banner, keyed by its underscores, as in SWE-bench).
public struct PytestV2LogParser: TestLogParser {
    public let name = "pytest_v2"
    public init() {}

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        for raw in LogText.lines(log) {
            let line = Self.clean(raw)
            if PytestLogParser.summaryLine(line, into: &out) { continue }
            let statuses = TestStatus.allCases.map(\.rawValue)
            if statuses.contains(where: { LogText.ends(line, with: $0) })
                || statuses.contains(where: { LogText.contains(line, $0) }) {
                let f = LogText.fields(line)
                if f.count >= 2 { out.set(f[0], token: f[1]) }
            }
        }
        return out.map
    }

    /// `re.sub(r"\[(\d+)m", "", line)` then drop U+0001…U+001F.
    static func clean<S: StringProtocol>(_ line: S) -> String {
        let s = Array(line.unicodeScalars)
        var kept = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "[" {
                var j = i + 1
                while j < s.count, s[j].properties.numericType == .decimal { j += 1 }
                if j > i + 1, j < s.count, s[j] == "m" { i = j + 1; continue }
            }
            kept.append(s[i])
            i += 1
        }
        return String(String.UnicodeScalarView(kept.filter { !(1...31).contains($0.value) }))
    }
}

/// `matplotlib`: `pytest` after `MouseButton.LEFT` → `1` and `MouseButton.RIGHT` → `3` on every line.
public struct MatplotlibLogParser: TestLogParser {
    public let name = "matplotlib"
    public init() {}

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        for line in LogText.lines(log) {
            let text = LogText.replace(LogText.replace(line, "MouseButton.LEFT", "1"), "MouseButton.RIGHT", "3")
            PytestLogParser.summaryLine(text, into: &out)
        }
        return out.map
    }
}

/// `seaborn`: a line starting `FAILED` → field 1 FAILED (no `" - "` rewrite); else a line containing
/// ` PASSED ` whose field 1 is `PASSED` → field 0 PASSED; else a line starting `PASSED` → field 1
/// PASSED. No other status is recorded.
public struct SeabornLogParser: TestLogParser {
    public let name = "seaborn"
    public init() {}

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        for line in LogText.lines(log) {
            let f = LogText.fields(line)
            if LogText.starts(line, with: "FAILED") {
                if f.count >= 2 { out.set(f[1], .failed) }
            } else if LogText.contains(line, " PASSED ") {
                if f.count >= 2, f[1] == "PASSED" { out.set(f[0], .passed) }
            } else if LogText.starts(line, with: "PASSED") {
                if f.count >= 2 { out.set(f[1], .passed) }
            }
        }
        return out.map
    }
}
