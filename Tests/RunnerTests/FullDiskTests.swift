import DockerEngine
import Foundation
import Testing
import TestSupport
import Trajectories

/// Issue 16 case 3: a write the store refuses (a full disk) is an error the run reports, with a
/// non-zero exit, and `--resume` completes the run once there is room.
@Suite("forager run on a full disk", .enabled { await dockerTestsEnabled() }, .enabled(if: getuid() == 0), .serialized)
struct FullDiskTests {
    @Test("episodes that cannot be recorded make the run fail (exit 1, not finished); --resume completes it")
    func fullDisk() async throws {
        try await ensureDemoImages()
        let mount = TestScratch.url.appendingPathComponent("forager-full-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try #require(shell("/bin/mount", ["-t", "tmpfs", "-o", "size=\(FullDiskTests.tinyKiB)k", "tmpfs", mount]) == 0)
        defer {
            _ = shell("/bin/umount", ["-l", mount])
            try? FileManager.default.removeItem(atPath: mount)
        }
        let runID = "full-\(UUID().uuidString.prefix(8))"
        let client = try await DockerClient.connect()
        defer { removeContainers(client, runID: runID) }
        let db = mount + "/forager.sqlite"
        let args = ["run", "--tasks", "Tasks/demo/tasks.jsonl", "--scripted", "Tasks/demo/scripted-agent.jsonl",
                    "--instance-ids", "demo__calc-1", "demo__ledger-2", "demo__calc-3", "demo__ledger-4", "--workers", "2",
                    "--db", db, "--run-id", runID, "--json"]
        let full = try LaunchedForager(args, environment: [:], stderrPath: TestScratch.path + "/\(runID).err")
        let first = try await full.finish(within: .seconds(300))
        #expect(first.status != 0, "a run whose records failed exited 0; stderr:\n\(full.stderr())")
        #expect(full.stderr().contains("disk is full") || full.stderr().contains("could not be recorded"), "stderr:\n\(full.stderr())")

        try #require(shell("/bin/mount", ["-o", "remount,size=64m", mount]) == 0)
        if let store = try? await TrajectoryStore.openForReading(at: db) {
            #expect(try await store.run(runID).status != .finished)
        }
        let resumed = try forager(args + ["--resume"])
        #expect(resumed.status == 0)
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(resumed.output.utf8))
        #expect(report.episodes == 4 && report.resolved == 4 && report.errors == 0)
        let store = try await TrajectoryStore.openForReading(at: db)
        #expect(try await store.run(runID).status == .finished)
    }

    /// Room for the run and its first records, not for four episodes.
    static let tinyKiB = 160
}

func shell(_ path: String, _ arguments: [String]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}
