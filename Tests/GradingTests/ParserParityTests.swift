import Foundation
import Testing
import TestSupport
@testable import Grading

/// The parsers of the SWE-bench grading modes (`SWEBenchParsers`) against swebench 5.0.2's own (from
/// the venv) on the logs recorded from the real frameworks, and on edge cases written here.
@Suite("Log parsers agree with swebench's")
struct ParserParityTests {
    static let pairs: [(log: String, parser: String)] = [
        ("pytest-rA.log", "pytest"), ("pytest-rA.log", "pytest_options"), ("pytest-rA.log", "matplotlib"),
        ("pytest-rA.log", "seaborn"), ("pytest-rA.log", "pytest_v2"), ("pytest-v-color.log", "pytest_v2"),
        ("pytest-v-classic.log", "pytest_v2"), ("unittest-v.log", "django"), ("django-v2.log", "django"),
        ("sympy.log", "sympy"), ("eval-pytest.log", "pytest"), ("eval-forged-passed.log", "pytest"),
    ]

    /// Edge cases: written here, each parsed by both.
    static let edgeCases: [(name: String, parser: String, text: String)] = [
        ("empty", "pytest", ""),
        ("pytest-summary-only", "pytest", "PASSED a.py::t1\nFAILED a.py::t2 - assert 0\nERROR a.py::t3\nSKIPPED [1] a.py:3: why\nXFAIL a.py::t4\n"),
        ("pytest-param-spaces", "pytest_v2", "PASSED a.py::t[x y]\nFAILED a.py::t[1 - 2] - AssertionError\n"),
        ("django-docstring", "django", "test_a (m.T)\nDoc line ... ok\ntest_b (m.T) ... FAIL\ntest_c (m.T) ... skipped 'no'\n"),
        ("sympy-statuses", "sympy", "test_a ok\ntest_b F\ntest_c E\n________________________________ sympy/x.py:test_b ___\n"),
    ]

    static func swebench(_ parser: String, _ paths: [String]) throws -> [String: [String: TestStatus]] {
        try SWEBenchVenvs.ensure()
        let run = try SWEBenchVenvs.run([SWEBenchVenvs.python("5.0.2").path,
                                         packageRoot.appendingPathComponent("Scripts/swebench-parse-log").path, "parse_log_\(parser)"] + paths)
        try #require(run.status == 0, "swebench 5.0.2 parse_log_\(parser): \(run.output.suffix(2000))")
        return try JSONDecoder().decode([String: [String: TestStatus]].self, from: Data(String(run.output.prefix { $0 != "\n" }).utf8))
    }

    static func compare(_ mine: [String: TestStatus], _ theirs: [String: TestStatus], _ what: String) {
        #expect(mine == theirs, "\(what)")
        for key in Set(mine.keys).union(theirs.keys).sorted() where mine[key] != theirs[key] {
            Issue.record("\(what): \(key): forager \(String(describing: mine[key])), swebench \(String(describing: theirs[key]))")
        }
    }

    @Test("recorded logs: every status map equals swebench 5.0.2's",
          .enabled("PyPI is unreachable and the swebench venvs are missing: nothing to compare with") { await SWEBenchVenvs.usable() })
    func recordedLogs() throws {
        for (log, parser) in Self.pairs {
            let url = try #require(Bundle.module.url(forResource: log, withExtension: nil, subdirectory: "Fixtures"))
            let theirs = try #require(try Self.swebench(parser, [url.path])[url.path])
            let mine = try #require(SWEBenchParsers.named(parser)).parse(try String(contentsOf: url, encoding: .utf8))
            Self.compare(mine, theirs, "\(log) with \(parser)")
        }
    }

    @Test("edge cases: every status map equals swebench 5.0.2's",
          .enabled("PyPI is unreachable and the swebench venvs are missing: nothing to compare with") { await SWEBenchVenvs.usable() })
    func edges() throws {
        let dir = TestScratch.url.appendingPathComponent("forager-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for edge in Self.edgeCases {
            let path = dir.appendingPathComponent("\(edge.name).log").path
            try edge.text.write(toFile: path, atomically: true, encoding: .utf8)
            let theirs = try #require(try Self.swebench(edge.parser, [path])[path])
            let mine = try #require(SWEBenchParsers.named(edge.parser)).parse(edge.text)
            Self.compare(mine, theirs, "\(edge.name) with \(edge.parser)")
        }
    }
}
