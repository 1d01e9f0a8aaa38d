import Foundation

/// swebench 5.0.2's log parsers for the 12 Python repositories, rule for rule (Python's
/// `split()`/`strip()` whitespace, its `startswith` checks, its overwrites: the last line about a
/// test wins), used by the SWE-bench grading modes. Forager's own parsers (`LogParsers`), with their
/// extra rules, grade in `cwm` mode. Parity with swebench's is tested on recorded logs
/// (`ParserParityTests`).
public enum SWEBenchParsers {
    /// The parser named `name` (Forager's names: `pytest`, `pytest_options`, `pytest_v2`,
    /// `matplotlib`, `seaborn`, `django`, `sympy`), or nil.
    public static func named(_ name: String) -> (any TestLogParser)? {
        switch name {
        case "pytest": return Parser(name: name, parse: pytest)
        case "pytest_options": return Parser(name: name, parse: pytestOptions)
        case "pytest_v2": return Parser(name: name, parse: pytestV2)
        case "matplotlib": return Parser(name: name) { pytest($0.replacingOccurrences(of: "MouseButton.LEFT", with: "1")
                                                            .replacingOccurrences(of: "MouseButton.RIGHT", with: "3")) }
        case "seaborn": return Parser(name: name, parse: seaborn)
        case "django", "unittest": return Parser(name: name, parse: django)
        case "sympy": return Parser(name: name, parse: sympy)
        default: return nil
        }
    }

    struct Parser: TestLogParser {
        let name: String
        let parse: @Sendable (String) -> [String: TestStatus]
        func parse(_ log: String) -> [String: TestStatus] { parse(log) }
    }

    static let statuses: [TestStatus] = [.failed, .passed, .skipped, .error, .xfail]

    static func startingStatus(_ line: String) -> Bool { statuses.contains { line.hasPrefix($0.rawValue) } }

    /// `SKIPPED [N]`: pytest's skip-summary count, not a test.
    static func isSkipSummary(_ status: String, _ name: String) -> Bool {
        status == TestStatus.skipped.rawValue && name.count > 2 && name.first == "[" && name.last == "]"
            && name.dropFirst().dropLast().allSatisfy(\.isASCIIDigitLike)
    }

    static func pytest(_ log: String) -> [String: TestStatus] { summaryLines(log) { $0 } }

    /// `parse_log_pytest_options`: an option that is an absolute path (not `//…`, no `*`) keeps
    /// only its last component.
    static func pytestOptions(_ log: String) -> [String: TestStatus] {
        summaryLines(log) { name in
            // `(.*?)\[(.*)\]` searched: the first `[`, the last `]` after it.
            guard let open = name.firstIndex(of: "["), let close = name[open...].lastIndex(of: "]") else { return name }
            var option = String(name[name.index(after: open)..<close])
            if option.hasPrefix("/"), !option.hasPrefix("//"), !option.contains("*") {
                option = "/" + (option.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "")
            }
            return "\(name[..<open])[\(option)]"
        }
    }

    /// Lines starting with a status (FAILED's ` - ` turned into a space), the second field the
    /// test (through `name`), skip-summary counts left out.
    static func summaryLines(_ log: String, name: (String) -> String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        for var line in SWEBenchEvalScript.lines(log) where startingStatus(line) {
            if line.hasPrefix(TestStatus.failed.rawValue) { line = line.replacingOccurrences(of: " - ", with: " ") }
            let fields = PythonString.split(line)
            guard fields.count > 1, !isSkipSummary(fields[0], fields[1]), let status = TestStatus(rawValue: fields[0]) else { continue }
            map[name(fields[1])] = status
        }
        return map
    }

    static func pytestV2(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        let colour = try? NSRegularExpression(pattern: #"\[(\d+)m"#)
        for raw in SWEBenchEvalScript.lines(log) {
            var line = colour.map { $0.stringByReplacingMatches(in: raw, range: NSRange(raw.startIndex..., in: raw), withTemplate: "") } ?? raw
            line = String(String.UnicodeScalarView(line.unicodeScalars.filter { $0.value < 1 || $0.value > 31 }))
            if startingStatus(line) {
                if line.hasPrefix(TestStatus.failed.rawValue), let cut = line.range(of: " - ") { line = String(line[..<cut.lowerBound]) }
                let fields = PythonString.split(line)
                if fields.count >= 2, !isSkipSummary(fields[0], fields[1]), let status = TestStatus(rawValue: fields[0]) {
                    map[fields.dropFirst().joined(separator: " ")] = status
                }
            } else if statuses.contains(where: { line.hasSuffix($0.rawValue) }) {
                let fields = PythonString.split(line)
                if fields.count >= 2, let status = TestStatus(rawValue: fields[fields.count - 1]) {
                    map[fields.dropLast().joined(separator: " ")] = status
                }
            }
        }
        return map
    }

    static func seaborn(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        for line in SWEBenchEvalScript.lines(log) {
            let parts = PythonString.split(line)
            guard parts.count >= 2 else { continue }
            if line.hasPrefix("FAILED") {
                map[parts[1]] = .failed
            } else if line.contains(" PASSED ") {
                if parts[1] == "PASSED" { map[parts[0]] = .passed }
            } else if line.hasPrefix("PASSED") {
                map[parts[1]] = .passed
            }
        }
        return map
    }

    static func django(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        var previous: String?
        func before(_ line: String, _ separator: String) -> String {
            line.range(of: separator).map { String(line[..<$0.lowerBound]) } ?? line
        }
        for raw in SWEBenchEvalScript.lines(log) {
            var line = PythonString.strip(raw)
            if line.contains("--version is equivalent to version") { map["--version is equivalent to version"] = .passed }
            if line.contains(" ... ") { previous = before(line, " ... ") }
            for suffix in [" ... ok", " ... OK", " ...  OK"] where line.hasSuffix(suffix) {
                if PythonString.strip(line).hasPrefix("Applying sites.0002_alter_domain_unique...test_no_migrations") {
                    line = PythonString.strip(line.range(of: "...").map { String(line[$0.upperBound...]) } ?? line)
                }
                let test = line.range(of: suffix, options: .backwards).map { String(line[..<$0.lowerBound]) } ?? line
                map[test] = .passed
                break
            }
            if line.contains(" ... skipped") { map[before(line, " ... skipped")] = .skipped }
            if line.hasSuffix(" ... FAIL") { map[before(line, " ... FAIL")] = .failed }
            if line.hasPrefix("FAIL:"), let test = PythonString.split(line).dropFirst().first { map[PythonString.strip(test)] = .failed }
            if line.hasSuffix(" ... ERROR") { map[before(line, " ... ERROR")] = .error }
            if line.hasPrefix("ERROR:"), let test = PythonString.split(line).dropFirst().first { map[PythonString.strip(test)] = .error }
            if PythonString.strip(line, leading: true, trailing: false).hasPrefix("ok"), let test = previous { map[test] = .passed }
        }
        let patterns = [
            #"^(.*?)\s\.\.\.\sTesting\ against\ Django\ installed\ in\ ((?s:.*?))\ silenced\)\.\nok$"#,
            #"^(.*?)\s\.\.\.\sInternal\ Server\ Error:\ \/(.*)\/\nok$"#,
            #"^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { continue }
            for match in regex.matches(in: log, range: NSRange(log.startIndex..., in: log)) {
                if let range = Range(match.range(at: 1), in: log) { map[String(log[range])] = .passed }
            }
        }
        return map
    }

    static func sympy(_ log: String) -> [String: TestStatus] {
        var map: [String: TestStatus] = [:]
        if let regex = try? NSRegularExpression(pattern: #"(_*) (.*)\.py:(.*) (_*)"#) {
            for match in regex.matches(in: log, range: NSRange(log.startIndex..., in: log)) {
                guard let file = Range(match.range(at: 2), in: log), let test = Range(match.range(at: 3), in: log) else { continue }
                map["\(log[file]).py:\(log[test])"] = .failed
            }
        }
        for raw in SWEBenchEvalScript.lines(log) {
            let line = PythonString.strip(raw)
            guard line.hasPrefix("test_"), let test = PythonString.split(line).first else { continue }
            if line.hasSuffix(" E") { map[test] = .error }
            if line.hasSuffix(" F") { map[test] = .failed }
            if line.hasSuffix(" ok") { map[test] = .passed }
        }
        return map
    }
}

/// Python's `str.split()` and `str.strip()` whitespace (Unicode White_Space and U+001C–U+001F).
enum PythonString {
    static func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace || (0x1C...0x1F).contains(s.value) }

    static func split(_ text: String) -> [String] {
        var out: [String] = [], current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isSpace(scalar) {
                if !current.isEmpty { out.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    static func strip(_ text: String, leading: Bool = true, trailing: Bool = true) -> String {
        var scalars = Array(text.unicodeScalars)
        if trailing { while let last = scalars.last, isSpace(last) { scalars.removeLast() } }
        if leading, let first = scalars.firstIndex(where: { !isSpace($0) }) { scalars.removeFirst(first) } else if leading { scalars = [] }
        return String(String.UnicodeScalarView(scalars))
    }
}

extension Character {
    fileprivate var isASCIIDigitLike: Bool { ("0"..."9").contains(self) }
}
