import DockerEngine
import ForagerSupport
import Foraging
import Foundation
import Sandbox
import Trajectories

/// `forager trace --repo`: in one sandbox of the repository's image, its test suite untraced
/// (the baseline time), then under the tracer: functions of the spec's source folders as its
/// passing tests call them, at most `perFunction` traces per function and one per (function, test).
public struct RepoTracing: Sendable {
    public struct Result: Sendable {
        public var repo: String
        public var commit: String
        public var records: [TraceRecord]
        public var testsRun: Int
        public var testsPassed: Int
        public var untracedSeconds: Double
        public var tracedSeconds: Double
        public var tracerErrors: Int
    }

    public var client: DockerClient
    public var spec: RepoSpec
    public var limits: TraceLimits
    public var perFunction: Int
    public var batch: String
    public var timeout: Duration

    public init(client: DockerClient, spec: RepoSpec, limits: TraceLimits = .init(), perFunction: Int = 3,
                batch: String, timeout: Duration = .seconds(3600)) {
        self.client = client
        self.spec = spec
        self.limits = limits
        self.perFunction = max(1, perFunction)
        self.batch = batch
        self.timeout = timeout
    }

    public func run() async throws -> Result {
        let pytest = try spec.pytestArguments()
        let config = SandboxConfig(image: spec.image, repoRoot: spec.repoRoot, runID: batch, episodeID: "\(batch)-\(spec.name)",
                                   role: .forage, network: false, lifetime: .seconds(7200))
        let tracer = try TracerScript.source
        let spec = self.spec, limits = self.limits, perFunction = self.perFunction, batch = self.batch, timeout = self.timeout
        return try await Sandbox.with(client: client, config: config) { sandbox in
            let client = sandbox.client, id = sandbox.containerID
            func run(_ cmd: [String]) async throws -> ExecResult {
                try await client.exec(container: id, cmd, workingDir: spec.repoRoot, timeout: timeout)
            }
            let head = try await run(["git", "rev-parse", "HEAD"])
            let commit = head.exitCode == 0 ? head.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            try await client.writeFile(container: id, path: TracerScript.containerPath, contents: tracer)
            let t0 = ContinuousClock.now
            _ = try await run([spec.python, "-m", "pytest"] + pytest)
            let t1 = ContinuousClock.now
            var command = [spec.python, TracerScript.containerPath, "pytest", "--root", spec.repoRoot, "--out", "/tmp/forager-traces.json",
                           "--per-function", "\(perFunction)"] + limits.arguments
            for d in spec.sourceDirectories { command += ["--source", d] }
            let traced = try await run(command + ["--"] + pytest)
            let t2 = ContinuousClock.now
            guard !traced.timedOut else { throw TracingError.run(spec.name, "the traced test run timed out after \(timeout.seconds) s") }
            guard let data = try await client.readFile(container: id, path: "/tmp/forager-traces.json") else {
                throw TracingError.run(spec.name, "the tracer wrote no traces (exit \(traced.exitCode.map(String.init) ?? "?")): "
                                       + String((traced.output.stderrText + traced.output.stdoutText).suffix(3000)))
            }
            let output = try TracerOutput.decode(data, what: spec.name)
            let records = output.traces.enumerated().map { i, t in
                TraceRecord(id: "\(batch).\(spec.name).\(i)", batch: batch, kind: .repo, repo: spec.name, commit: commit, test: t.test,
                            file: t.file, function: t.function, line: t.line, codeLine: t.codeLine, entryCall: t.ordinal, context: output.context(of: t), cut: t.cut,
                            seconds: t.seconds, frames: t.frames)
            }
            return Result(repo: spec.name, commit: commit, records: records, testsRun: output.tests ?? 0, testsPassed: output.passed ?? 0,
                          untracedSeconds: (t1 - t0).seconds, tracedSeconds: (t2 - t1).seconds, tracerErrors: output.tracerErrors)
        }
    }
}
