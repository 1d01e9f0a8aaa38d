import DockerEngine
import ForagerSupport
import Foundation
import Sandbox
import Trajectories

/// `forager trace --program`: a whole program, CodeContests-style, run once per input in a
/// sandbox, untraced and then traced; the trace's entry is the program's module scope.
public struct ProgramTracing: Sendable {
    public struct Program: Sendable {
        /// The program's file name inside the sandbox and in the trace.
        public var name: String
        public var source: Data
        /// One run per input (standard input); an empty list runs it once without input.
        public var inputs: [(name: String, data: Data)]

        public init(name: String, source: Data, inputs: [(name: String, data: Data)]) {
            self.name = name
            self.source = source
            self.inputs = inputs
        }
    }

    /// One run of a program on one input.
    public struct Outcome: Sendable {
        public var program: String
        public var input: String?
        public var record: TraceRecord?
        public var untracedSeconds: Double
        public var tracedSeconds: Double
        /// Standard output and exit status of the traced run equal the untraced run's.
        public var sameBehaviour: Bool
        public var exitCode: Int?
        public var error: String?
    }

    public var client: DockerClient
    public var image: String
    public var python: String
    public var limits: TraceLimits
    public var batch: String
    public var timeout: Duration

    public init(client: DockerClient, image: String, python: String = "python3", limits: TraceLimits = .init(),
                batch: String, timeout: Duration = .seconds(120)) {
        self.client = client
        self.image = image
        self.python = python
        self.limits = limits
        self.batch = batch
        self.timeout = timeout
    }

    /// Traces `program` on each of its inputs in one sandbox.
    public func trace(_ program: Program, index: Int) async throws -> [Outcome] {
        let config = SandboxConfig(image: image, repoRoot: "/tmp", runID: batch, episodeID: "\(batch)-program-\(index)",
                                   role: .forage, network: false, lifetime: .seconds(3600))
        let tracer = try TracerScript.source
        let directory = "/tmp/forager-program"
        let path = directory + "/" + program.name
        let python = self.python, limits = self.limits, batch = self.batch, timeout = self.timeout
        return try await Sandbox.with(client: client, config: config) { sandbox in
            let client = sandbox.client, id = sandbox.containerID
            _ = try await client.exec(container: id, ["mkdir", "-p", directory], timeout: .seconds(60))
            try await client.writeFile(container: id, path: TracerScript.containerPath, contents: tracer)
            try await client.writeFile(container: id, path: path, contents: program.source)
            let inputs: [(name: String, data: Data)?] = program.inputs.isEmpty ? [nil] : program.inputs.map { $0 }
            var outcomes: [Outcome] = []
            for (n, input) in inputs.enumerated() {
                var redirect = " < /dev/null"
                if let input {
                    let inputPath = "\(directory)/input-\(n)"
                    try await client.writeFile(container: id, path: inputPath, contents: input.data)
                    redirect = " < " + shellQuote(inputPath)
                }
                let out = "\(directory)/trace-\(n).json"
                let plain = "cd \(directory) && exec \(python) \(shellQuote(program.name))" + redirect
                let traced = "cd \(directory) && exec \(python) \(TracerScript.containerPath) program --file \(shellQuote(program.name)) --out \(out) "
                    + limits.arguments.joined(separator: " ") + redirect
                let t0 = ContinuousClock.now
                let untraced = try await client.exec(container: id, ["sh", "-c", plain], timeout: timeout)
                let t1 = ContinuousClock.now
                let result = try await client.exec(container: id, ["sh", "-c", traced], timeout: timeout)
                let t2 = ContinuousClock.now
                let same = untraced.exitCode == result.exitCode && untraced.stdout == result.stdout && untraced.stderr == result.stderr
                var outcome = Outcome(program: program.name, input: input?.name, record: nil, untracedSeconds: (t1 - t0).seconds,
                                      tracedSeconds: (t2 - t1).seconds, sameBehaviour: same, exitCode: result.exitCode, error: nil)
                if result.timedOut {
                    outcome.error = "timed out after \(timeout.seconds) s"
                } else if let data = try await client.readFile(container: id, path: out) {
                    let output = try TracerOutput.decode(data, what: program.name)
                    if let t = output.traces.first {
                        outcome.record = TraceRecord(
                            id: "\(batch).\(index).\(n)", batch: batch, kind: .program, test: input?.name, file: t.file,
                            function: t.function, line: t.line, context: output.context(of: t), cut: t.cut, seconds: t.seconds,
                            untracedSeconds: outcome.untracedSeconds, frames: t.frames)
                    } else {
                        outcome.error = "the tracer recorded no trace"
                    }
                } else {
                    outcome.error = "the tracer wrote no trace (exit \(result.exitCode.map(String.init) ?? "?")): "
                        + String(result.output.stderrText.suffix(2000))
                }
                outcomes.append(outcome)
            }
            return outcomes
        }
    }
}
