import Foundation
import Testing
import TestSupport

/// The two swebench releases, each in a venv under `.build/swebench-<version>` (created from PyPI
/// when missing), for the tests that compare Forager with the official harness.
enum SWEBenchVenvs {
    static let versions = ["4.1.0", "5.0.2"]

    static func python(_ version: String) -> URL {
        packageRoot.appendingPathComponent(".build/swebench-\(version)/bin/python")
    }

    /// Written once `pip install` has finished: a venv without it is half made (another suite
    /// may be installing into it, or an install was killed) and is not used.
    static func readyMarker(_ version: String) -> URL {
        packageRoot.appendingPathComponent(".build/swebench-\(version)/.forager-ready")
    }

    static func isReady(_ version: String) -> Bool { FileManager.default.fileExists(atPath: readyMarker(version).path) }

    /// Suites that need the venvs run in parallel: one of them makes them, the others wait.
    private static let making = NSLock()

    /// True when both venvs exist, or PyPI answers (they can be made); always true in CI
    /// (FORAGER_REQUIRE_DOCKER=1), where a missing PyPI must fail the test.
    static let usable: @Sendable () async -> Bool = {
        if ProcessInfo.processInfo.environment["FORAGER_REQUIRE_DOCKER"] == "1" { return true }
        if versions.allSatisfy(isReady) { return true }
        return (try? run(["/usr/bin/curl", "-sSf", "-m", "15", "-o", "/dev/null", "https://pypi.org/simple/swebench/"]).status) == 0
    }

    /// Creates the venvs that are missing (`python3 -m venv`, then `pip install swebench==V`).
    static func ensure() throws {
        making.lock()
        defer { making.unlock() }
        for version in versions where !isReady(version) {
            let venv = packageRoot.appendingPathComponent(".build/swebench-\(version)").path
            try? FileManager.default.removeItem(atPath: venv)
            let made = try run(["/usr/bin/env", "python3", "-m", "venv", venv])
            guard made.status == 0 else { throw VenvError("python3 -m venv \(venv): \(made.output)") }
            let pip = try run([python(version).path, "-m", "pip", "install", "-q", "swebench==\(version)"])
            guard pip.status == 0 else { throw VenvError("pip install swebench==\(version) (is PyPI reachable?): \(pip.output)") }
            FileManager.default.createFile(atPath: readyMarker(version).path, contents: Data(version.utf8))
        }
    }

    /// Runs a program; stdout, and stderr after it.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let out = TestScratch.url.appendingPathComponent("forager-venv-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        defer { try? FileManager.default.removeItem(at: out) }
        let errPipe = Pipe()
        process.standardOutput = handle
        process.standardError = errPipe
        try process.run()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text + String(decoding: err, as: UTF8.self))
    }

    struct VenvError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}
