import Foundation
import Grading

/// One run of the suite in the built image with the network off, and what its log says.
struct BaselineRun: Sendable {
    var log: String
    var statuses: [String: TestStatus]
    var exitStatus: Int32
    var timedOut: Bool

    var passed: Set<String> { Set(statuses.filter { $0.value == .passed }.keys) }
    var failed: Set<String> { Set(statuses.filter { $0.value == .failed || $0.value == .error }.keys) }
    var collectionError: Bool {
        log.contains("error during collection") || log.contains("errors during collection") || log.contains("ERROR collecting")
    }

    static func run(image: String, command: String, timeout: Double, name: String) async throws(EnvBuildError) -> BaselineRun {
        let script = "cd /testbed && exec timeout -s KILL \(Int(timeout)) \(command)"
        let result = try await HostCommand.run("docker", ["run", "--rm", "--network", "none", "--name", name, "--label", "forager.env-test=1",
                                                          image, "bash", "-c", script], timeout: .seconds(timeout + 60))
        if result.timedOut { _ = try? await HostCommand.run("docker", ["rm", "-f", name]) }
        let log = result.stdoutText + result.stderrText
        return BaselineRun(log: log, statuses: PytestLogParser().parse(log), exitStatus: result.status,
                           timedOut: result.timedOut || result.status == 137)
    }

    /// The cause when this run cannot be a baseline, else nil.
    func failure(minPassing: Int) -> (EnvFailureCause, String)? {
        if timedOut { return (.timeout, "the suite did not finish in time") }
        if let lib = Self.firstLine(of: log, matching: ["cannot open shared object file", "Library not loaded", "libGL", "command not found"]) {
            if passed.count < minPassing { return (.needsSystemLibrary, lib) }
        }
        if passed.count < minPassing && collectionError {
            let first = Self.firstLine(of: log, matching: ["E   "]) ?? Self.firstLine(of: log, matching: ["ERROR collecting"]) ?? "errors during collection"
            return (.collectionError, "\(passed.count) passed; \(first)")
        }
        if statuses.isEmpty {
            if exitStatus == 5 || log.contains("no tests ran") { return (.noTests, "pytest collected no tests") }
            return (.collectionError, Self.firstLine(of: log, matching: ["ERROR", "Error", "error"]) ?? "pytest ran no test (exit \(exitStatus))")
        }
        if passed.isEmpty { return (.allTestsFail, "\(failed.count) failed, none passed; first: \(failed.sorted().first ?? "?")") }
        if passed.count < minPassing { return (.tooFewPassing, "\(passed.count) passed, fewer than \(minPassing)") }
        return nil
    }

    static func firstLine(of log: String, matching needles: [String]) -> String? {
        for line in log.split(separator: "\n") where needles.contains(where: { line.contains($0) }) {
            return String(line.trimmingCharacters(in: .whitespaces).prefix(300))
        }
        return nil
    }
}
