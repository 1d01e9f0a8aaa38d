import Foundation
import Testing
import TestSupport
@testable import Grading
import Tasks

@Suite("SWE-bench eval scripts, byte for byte")
struct EvalScriptParityTests {
    /// Lite, the Verified sample, and the official-layout flask rows made here (Tasks/swebench-flask).
    static let rowFiles = ["Tasks/swebench/lite.jsonl", "Tasks/swebench/verified.jsonl", "Tasks/swebench-flask/rows.jsonl"].map { packageRoot.appendingPathComponent($0).path }

    /// swebench's scripts for every row: `Scripts/swebench-eval-scripts` in each venv.
    static func official() throws -> (v4: [String: String], v5: [String: String]) {
        try SWEBenchVenvs.ensure()
        let tool = packageRoot.appendingPathComponent("Scripts/swebench-eval-scripts").path
        let v4 = try SWEBenchVenvs.run([SWEBenchVenvs.python("4.1.0").path, tool, "v4"] + rowFiles)
        try #require(v4.status == 0, "swebench 4.1.0: \(v4.output.suffix(2000))")
        let v4File = TestScratch.url.appendingPathComponent("forager-v4-scripts-\(UUID().uuidString).json")
        let v4JSON = String(v4.output.prefix { $0 != "\n" })
        try v4JSON.write(to: v4File, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: v4File) }
        let v5 = try SWEBenchVenvs.run([SWEBenchVenvs.python("5.0.2").path, tool, "v5", v4File.path] + rowFiles)
        try #require(v5.status == 0, "swebench 5.0.2: \(v5.output.suffix(2000))")
        let decode = { (text: String) throws -> [String: String] in
            try JSONDecoder().decode([String: String].self, from: Data(String(text.prefix { $0 != "\n" }).utf8))
        }
        return (try decode(v4.output), try decode(v5.output))
    }

    @Test("for every row of Lite, the Verified sample and the flask official-layout rows, Forager's script equals swebench 4.1.0's, and in v5 mode 5.0.2's",
          .enabled("PyPI is unreachable and the swebench venvs are missing: nothing to compare with") { await SWEBenchVenvs.usable() },
          .timeLimit(.minutes(30)))
    func everyRow() throws {
        let rows = try Self.rowFiles.flatMap { try TaskLoader.load($0) }
        let official = try Self.official()
        var compared = 0
        for row in rows {
            let v4 = try #require(official.v4[row.instanceID], "no 4.1.0 script for \(row.instanceID)")
            let v5 = try #require(official.v5[row.instanceID], "no 5.0.2 script for \(row.instanceID)")
            let mine4 = row.derived(mode: .sweBenchV4).evalScript
            let mine5 = row.derived(mode: .sweBenchV5).evalScript
            #expect(Array(mine4.utf8) == Array(v4.utf8), "\(row.instanceID) (4.1.0): \(Self.firstDifference(mine4, v4))")
            #expect(Array(mine5.utf8) == Array(v5.utf8), "\(row.instanceID) (5.0.2): \(Self.firstDifference(mine5, v5))")
            #expect(v5.contains("SWEBENCH_TEST_EXIT_CODE=$?") && !v4.contains("SWEBENCH_TEST_EXIT_CODE"))
            compared += 1
        }
        #expect(compared == 399)
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = SWEBenchEvalScript.lines(a), lb = SWEBenchEvalScript.lines(b)
        for i in 0..<max(la.count, lb.count) where (i < la.count ? la[i] : nil) != (i < lb.count ? lb[i] : nil) {
            return "line \(i + 1): forager \(i < la.count ? la[i].debugDescription : "<none>") vs swebench \(i < lb.count ? lb[i].debugDescription : "<none>")"
        }
        return "same lines"
    }
}
