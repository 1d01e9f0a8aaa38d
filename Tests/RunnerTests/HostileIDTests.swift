import Foundation
import Testing
import TestSupport

/// Issue 16 case 6: an instance id becomes a file name only through one safe mapping.
@Suite("hostile instance ids", .enabled { await dockerTestsEnabled() }, .serialized)
struct HostileIDTests {
    @Test("forager eval of ../../../../escape_probe writes only inside --logs-dir; an id of .. is refused")
    func escapeProbe() async throws {
        try await ensureDemoImages()
        let dir = TestScratch.url.appendingPathComponent("forager-escape-\(UUID().uuidString)")
        let deep = dir.appendingPathComponent("a/b/c/d")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tasks = try demoRow("demo__calc-1", replacing: ["instance_id": "../../../../escape_probe"], in: dir)
        let logs = deep.appendingPathComponent("logs")
        let result = try foragerCombined(["eval", "--tasks", tasks, "--gold", "--run-id", "esc",
                                          "--logs-dir", logs.path, "--report-dir", deep.path], limit: 240)
        #expect(result.status == 0, "\(result.output)")
        // Unmapped, the files would land in logs/run_evaluation/esc/gold/../../../../escape_probe = logs/escape_probe.
        #expect(!FileManager.default.fileExists(atPath: logs.appendingPathComponent("escape_probe").path))
        let mapped = logs.appendingPathComponent("run_evaluation/esc/gold/..__..__..__..__escape_probe")
        #expect(FileManager.default.fileExists(atPath: mapped.appendingPathComponent("report.json").path), "\(result.output)")
        let everything = FileManager.default.subpaths(atPath: dir.path) ?? []
        #expect(everything.filter { $0.hasSuffix("escape_probe") }.allSatisfy { $0.contains("run_evaluation/esc/gold/") })

        let dots = try demoRow("demo__calc-1", replacing: ["instance_id": ".."], in: dir)
        let refused = try foragerCombined(["eval", "--tasks", dots, "--gold", "--logs-dir", logs.path, "--report-dir", deep.path])
        #expect(refused.status != 0)
        #expect(refused.output.contains(#"instance_id ".." cannot be used"#), "\(refused.output)")
    }
}
