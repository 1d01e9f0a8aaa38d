import Foundation

/// Python-`str` semantics the SWE-bench parsers rely on, over Unicode scalars (so `\r\n` is two
/// characters, as in Python, not one Swift `Character`).
enum LogText {
    /// One of the parsers' own patterns, compiled; they are constants, checked by the parser tests.
    static func builtInRegex(_ pattern: String, options: NSRegularExpression.Options = []) -> NSRegularExpression {
        do { return try NSRegularExpression(pattern: pattern, options: options) } catch {
            preconditionFailure("built-in log pattern \(pattern) does not compile: \(error)")
        }
    }

    /// Python's `str.split()`/`strip()` whitespace: Unicode White_Space plus U+001C…U+001F.
    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || (0x1C...0x1F).contains(s.value)
    }

    /// `log.split("\n")`: every line, empty ones kept, a `\r` left in place.
    static func lines(_ log: String) -> [Substring] {
        log.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Substring($0) }
    }

    /// `line.split()`: runs of whitespace separate fields; no empty fields.
    static func fields<S: StringProtocol>(_ line: S) -> [Substring] {
        let text = Substring(line)
        let scalars = text.unicodeScalars
        var out: [Substring] = []
        var start: Substring.UnicodeScalarView.Index?
        var i = scalars.startIndex
        while i != scalars.endIndex {
            if isSpace(scalars[i]) {
                if let s = start { out.append(Substring(scalars[s..<i])); start = nil }
            } else if start == nil {
                start = i
            }
            i = scalars.index(after: i)
        }
        if let s = start { out.append(Substring(scalars[s..<scalars.endIndex])) }
        return out
    }

    /// `line.strip()`.
    static func strip<S: StringProtocol>(_ line: S) -> Substring {
        let scalars = Substring(line).unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return Substring(scalars[first...last])
    }

    /// `line.startswith(p)` / `endswith(p)` compared scalar by scalar.
    static func starts<S: StringProtocol>(_ line: S, with prefix: String) -> Bool {
        line.unicodeScalars.starts(with: prefix.unicodeScalars)
    }

    static func ends<S: StringProtocol>(_ line: S, with suffix: String) -> Bool {
        line.unicodeScalars.reversed().starts(with: suffix.unicodeScalars.reversed())
    }

    /// `s.replace(old, new)` (all occurrences, scalar-exact).
    static func replace<S: StringProtocol>(_ s: S, _ old: String, _ new: String) -> String {
        let src = Array(s.unicodeScalars), pat = Array(old.unicodeScalars)
        guard !pat.isEmpty, src.count >= pat.count else { return String(s) }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < src.count {
            if i + pat.count <= src.count, src[i] == pat[0], Array(src[i..<(i + pat.count)]) == pat {
                out.append(contentsOf: new.unicodeScalars)
                i += pat.count
            } else {
                out.append(src[i])
                i += 1
            }
        }
        return String(out)
    }

    /// The text before the first occurrence of `sep` (`s.split(sep)[0]`), or nil when `sep` is absent.
    static func before<S: StringProtocol>(_ s: S, first sep: String) -> Substring? {
        let src = Substring(s).unicodeScalars, pat = Array(sep.unicodeScalars)
        guard !pat.isEmpty else { return nil }
        var i = src.startIndex
        while i != src.endIndex {
            if src[i...].starts(with: pat) { return Substring(src[src.startIndex..<i]) }
            i = src.index(after: i)
        }
        return nil
    }

    /// The text before the last occurrence of `sep` (`s.rsplit(sep, 1)[0]`), or nil when absent.
    static func before<S: StringProtocol>(_ s: S, last sep: String) -> Substring? {
        let src = Substring(s).unicodeScalars, pat = Array(sep.unicodeScalars)
        guard !pat.isEmpty else { return nil }
        var found: Substring.UnicodeScalarView.Index?
        var i = src.startIndex
        while i != src.endIndex {
            if src[i...].starts(with: pat) { found = i }
            i = src.index(after: i)
        }
        return found.map { Substring(src[src.startIndex..<$0]) }
    }

    /// The text after the first occurrence of `sep` (`s.split(sep, 1)[-1]`; the whole text when absent).
    static func after<S: StringProtocol>(_ s: S, first sep: String) -> Substring {
        let src = Substring(s).unicodeScalars, pat = Array(sep.unicodeScalars)
        var i = src.startIndex
        while i != src.endIndex {
            if src[i...].starts(with: pat) {
                return Substring(src[src.index(i, offsetBy: pat.count)...])
            }
            i = src.index(after: i)
        }
        return Substring(s)
    }

    static func contains<S: StringProtocol>(_ s: S, _ needle: String) -> Bool {
        before(s, first: needle) != nil
    }

    /// A status word SWE-bench knows (`PASSED`, `FAILED`, `SKIPPED`, `ERROR`, `XFAIL`).
    static func status<S: StringProtocol>(_ token: S) -> TestStatus? {
        TestStatus(rawValue: String(token))
    }

    /// Whether the line starts with any status word (`any(line.startswith(x.value) …)`).
    static func startsWithStatus<S: StringProtocol>(_ line: S) -> Bool {
        TestStatus.allCases.contains { starts(line, with: $0.rawValue) }
    }
}

/// Collects `key → status` writes, later writes winning (Python dict assignment). A write whose status
/// token is not one of SWE-bench's five words (e.g. `ERRORS` from pytest's `=== ERRORS ===` banner,
/// which SWE-bench stores verbatim) is dropped: such a value is neither passing nor failing there.
struct StatusMapBuilder {
    var map: [String: TestStatus] = [:]

    mutating func set<K: StringProtocol>(_ key: K, _ status: TestStatus) {
        map[String(key)] = status
    }

    mutating func set<K: StringProtocol, T: StringProtocol>(_ key: K, token: T) {
        if let status = LogText.status(token) { map[String(key)] = status }
    }
}
