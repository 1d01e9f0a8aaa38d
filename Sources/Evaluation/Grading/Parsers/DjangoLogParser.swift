import Foundation

/// `django` (and `unittest`, the same rules under a plain name): unittest's verbose lines
/// `test_x (mod.Class[.test_x]) ... ok`, as Django's runner (`-v 2`) and `python -m unittest -v` print
/// them. On each stripped line, in order:
/// - it contains `--version is equivalent to version` → that phrase PASSED;
/// - it contains ` ... ` → remember the text before the first ` ... ` as the current test;
/// - it ends ` ... ok`, ` ... OK` or ` ...  OK` → the text before the suffix PASSED (a line starting
///   `Applying sites.0002_alter_domain_unique...test_no_migrations` first loses everything up to its first `...`);
/// - it contains ` ... skipped` → SKIPPED; ends ` ... FAIL` → FAILED; ends ` ... ERROR` → ERROR;
/// - it starts `FAIL:` / `ERROR:` → field 1 (the bare method name) FAILED / ERROR;
/// - it starts `ok` and a test is remembered → that test PASSED (output printed between `...` and `ok`).
/// Then over the whole log, three multiline patterns mark PASSED a test whose `ok` follows an
/// interleaved "Testing against Django installed in … silenced).", "Internal Server Error: /…/" or
/// "System check identified no issues (0 silenced)" line. `expected failure` and `unexpected success`
/// results are not recorded. A docstring test is keyed by its docstring line, as in SWE-bench.
public struct DjangoLogParser: TestLogParser {
    public let name: String
    public init(name: String = "django") { self.name = name }

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        var previous: Substring?
        for raw in LogText.lines(log) {
            var line = LogText.strip(raw)
            if LogText.contains(line, "--version is equivalent to version") {
                out.set("--version is equivalent to version", .passed)
            }
            if let head = LogText.before(line, first: " ... ") { previous = head }
            for suffix in [" ... ok", " ... OK", " ...  OK"] where LogText.ends(line, with: suffix) {
                if LogText.starts(line, with: "Applying sites.0002_alter_domain_unique...test_no_migrations") {
                    line = LogText.strip(LogText.after(line, first: "..."))
                }
                if let test = LogText.before(line, last: suffix) { out.set(test, .passed) }
                break
            }
            if let test = LogText.before(line, first: " ... skipped") { out.set(test, .skipped) }
            if LogText.ends(line, with: " ... FAIL"), let test = LogText.before(line, first: " ... FAIL") {
                out.set(test, .failed)
            }
            if LogText.starts(line, with: "FAIL:") {
                let f = LogText.fields(line)
                if f.count >= 2 { out.set(f[1], .failed) }
            }
            if LogText.ends(line, with: " ... ERROR"), let test = LogText.before(line, first: " ... ERROR") {
                out.set(test, .error)
            }
            if LogText.starts(line, with: "ERROR:") {
                let f = LogText.fields(line)
                if f.count >= 2 { out.set(f[1], .error) }
            }
            if LogText.starts(line, with: "ok"), let test = previous {
                out.set(test, .passed)
            }
        }
        for pattern in Self.interruptedOK {
            let range = NSRange(log.startIndex..<log.endIndex, in: log)
            for match in pattern.matches(in: log, range: range) {
                if let r = Range(match.range(at: 1), in: log) { out.set(log[r], .passed) }
            }
        }
        return out.map
    }

    static let interruptedOK: [NSRegularExpression] = [
        #"^(.*?)\s\.\.\.\sTesting\ against\ Django\ installed\ in\ ((?s:.*?))\ silenced\)\.\nok$"#,
        #"^(.*?)\s\.\.\.\sInternal\ Server\ Error:\ \/(.*)\/\nok$"#,
        #"^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$"#,
    ].map { LogText.builtInRegex($0, options: [.anchorsMatchLines]) }
}

/// `sympy`: SymPy's own runner (`bin/test`, `sympy.testing.runtests`). Every
/// `(_*) (.*)\.py:(.*) (_*)` match (the `___ path.py:test_name ___` banner over a failure or an
/// exception) → `path.py:test_name` FAILED. Then each stripped line starting `test_` loses a trailing
/// `[FAIL]`/`[OK]` and is re-stripped; ending ` E` → field 0 ERROR, ` F` → FAILED, ` ok` → PASSED.
/// XFAIL (`f`), skip (`s`) and XPASS (`X`) markers are not recorded.
public struct SympyLogParser: TestLogParser {
    public let name = "sympy"
    public init() {}

    public func parse(_ log: String) -> [String: TestStatus] {
        var out = StatusMapBuilder()
        for raw in LogText.lines(log) {
            let range = NSRange(raw.startIndex..<raw.endIndex, in: raw)
            for match in Self.banner.matches(in: String(raw), range: range) {
                let text = String(raw)
                if let file = Range(match.range(at: 2), in: text), let test = Range(match.range(at: 3), in: text) {
                    out.set("\(text[file]).py:\(text[test])", .failed)
                }
            }
        }
        for raw in LogText.lines(log) {
            var line = LogText.strip(raw)
            guard LogText.starts(line, with: "test_") else { continue }
            for tag in ["[FAIL]", "[OK]"] where LogText.ends(line, with: tag) {
                line = LogText.strip(LogText.before(line, last: tag) ?? line)
            }
            let f = LogText.fields(line)
            guard let key = f.first else { continue }
            if LogText.ends(line, with: " E") { out.set(key, .error) }
            if LogText.ends(line, with: " F") { out.set(key, .failed) }
            if LogText.ends(line, with: " ok") { out.set(key, .passed) }
        }
        return out.map
    }

    static let banner = LogText.builtInRegex(#"(_*) (.*)\.py:(.*) (_*)"#)
}
