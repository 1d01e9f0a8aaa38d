import DockerEngine
import Foundation
import Testing
import TestSupport
import Trajectories

/// `forager` with stdout and stderr together, killed after `limit`.
func foragerCombined(_ arguments: [String], cwd: URL = packageRoot, limit: TimeInterval = 300) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = try ForagerLauncher.executable()
    process.arguments = arguments
    process.currentDirectoryURL = cwd
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let killer = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + limit, execute: killer)
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    killer.cancel()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A tasks file of the demo row `id` with some keys replaced.
func demoRow(_ id: String, replacing changes: [String: Any], in dir: URL) throws -> String {
    let demo = try String(contentsOf: packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl"), encoding: .utf8)
    let line = try #require(demo.split(separator: "\n").first { $0.contains("\"\(id)\"") })
    var row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    for (key, value) in changes { row[key] = value }
    let path = dir.appendingPathComponent("\(UUID().uuidString).jsonl").path
    try (String(decoding: try JSONSerialization.data(withJSONObject: row), as: UTF8.self) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Issue 16 case 11: each bad input names itself and what to do.
@Suite("clear messages", .serialized)
struct ClearMessageTests {
    let dir: URL = {
        let url = TestScratch.url.appendingPathComponent("forager-msgs-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    @Test("a missing --scripted file is named, without Cocoa's error dump")
    func missingScript() throws {
        let result = try foragerCombined(["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", "/no/such/script.jsonl",
                                          "--db", dir.appendingPathComponent("a.sqlite").path])
        #expect(result.status != 0)
        #expect(result.output.contains("/no/such/script.jsonl") && result.output.contains("no such file"), "\(result.output)")
        #expect(!result.output.contains("NSCocoaErrorDomain"), "\(result.output)")
    }

    @Test("a task with no line in the scripted file is refused before anything runs")
    func unscriptedTask() throws {
        let script = dir.appendingPathComponent("one.jsonl")
        try #"{"instance_id": "demo__calc-1", "turns": ["All done."]}"#.appending("\n").write(to: script, atomically: true, encoding: .utf8)
        let result = try foragerCombined(["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", script.path,
                                          "--instance-ids", "demo__calc-1", "demo__ledger-2",
                                          "--db", dir.appendingPathComponent("b.sqlite").path])
        #expect(result.status != 0)
        #expect(result.output.contains("no line for 1 task") && result.output.contains("demo__ledger-2"), "\(result.output)")
        #expect(!result.output.contains("demo__calc-1,"), "\(result.output)")
    }

    @Test("forager run names a missing image it cannot build or pull, before any episode starts", .enabled { await dockerTestsEnabled() })
    func missingImageReason() throws {
        let image = "forager/no-such-image-\(UUID().uuidString.prefix(6).lowercased()):latest"
        let tasks = try demoRow("demo__calc-1", replacing: ["image": image], in: dir)
        let result = try foragerCombined(["run", "--tasks", tasks, "--scripted", "Tasks/demo/scripted-agent.jsonl",
                                          "--db", dir.appendingPathComponent("c.sqlite").path], limit: 240)
        #expect(result.status != 0, "\(result.output)")
        // Run pulls what no recipe makes before the episodes start; a pull that fails names the
        // image and the engine's reason, and no episode is run without its image.
        #expect(result.output.contains("cannot pull") && result.output.contains(image), "\(result.output)")
        #expect(!result.output.contains("demo__calc-1#0"), "an episode ran without its image:\n\(result.output)")
    }

    @Test("forager eval counts a repo_root missing from the image as an infrastructure error", .enabled { await dockerTestsEnabled() })
    func missingRepoRoot() async throws {
        try await ensureDemoImages()
        let tasks = try demoRow("demo__calc-1", replacing: ["repo_root": "/no-such-root"], in: dir)
        let runID = "rr-\(UUID().uuidString.prefix(6))"
        let result = try foragerCombined(["eval", "--tasks", tasks, "--gold", "--run-id", runID,
                                          "--logs-dir", dir.appendingPathComponent("logs").path,
                                          "--report-dir", dir.path], limit: 240)
        let file = dir.appendingPathComponent("gold.\(runID).json")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        #expect(summary?["error_instances"] as? Int == 1, "\(result.output)")
        #expect(result.output.contains("repo_root /no-such-root is missing or empty"), "\(result.output)")
    }
}
