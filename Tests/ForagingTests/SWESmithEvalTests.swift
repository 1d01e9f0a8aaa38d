import Foundation
import Tasks
import Testing
import TestSupport

/// SWE-smith-shaped rows graded end to end: mutate-fix tasks of the calc demo rewritten as
/// SWE-smith publishes its rows (the bug as `patch`, `image_name`, no `test_patch`, no
/// `test_cmd`), then `forager eval`: each gold (the bug's reverse) resolves, empty patches none.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct SWESmithEvalTests {
    struct EvalSummary: Decodable { let resolved_instances: Int, completed_instances: Int }

    @Test(.timeLimit(.minutes(10)))
    func swesmithRowsResolveWithTheirReversedBug() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = packageRoot.appendingPathComponent("Tasks/repos/calc.json").path
        let (status, _) = try forager(["forage", "--repo", spec, "--mutations", "2", "--seed", "5", "--logs-dir", dir.path,
                                       "--out", "tasks.jsonl", "--run-id", "smith-src"], in: dir)
        #expect(status == 0)
        let rows = try TaskLoader.load(dir.appendingPathComponent("tasks.jsonl").path)
        try #require(!rows.isEmpty)
        var lines: [String] = []
        for row in rows {
            let o: [String: Any] = ["instance_id": "demo__calc.d8dfd608." + row.instanceID.split(separator: ".").last.map(String.init)!,
                                    "repo": "swesmith/demo__calc.d8dfd608", "patch": row.bugPatch, "image_name": row.image,
                                    "FAIL_TO_PASS": row.failToPass, "PASS_TO_PASS": row.passToPass, "problem_statement": row.problemStatement,
                                    "base_commit": "0000000000000000000000000000000000000000", "created_at": "2025-01-01"]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("smith.jsonl"), atomically: true, encoding: .utf8)
        for (mode, resolved) in [("--gold", rows.count), ("--empty", 0)] {
            let name = String(mode.dropFirst(2))
            let (code, output) = try forager(["eval", "--tasks", "smith.jsonl", mode, "--run-id", name, "--report-dir", dir.path,
                                              "--logs-dir", dir.path], in: dir)
            #expect(code == 0, "\(output)")
            let report = try JSONDecoder().decode(EvalSummary.self, from: Data(contentsOf: dir.appendingPathComponent("\(name).\(name).json")))
            #expect(report.resolved_instances == resolved, "\(mode)")
        }
    }
}
