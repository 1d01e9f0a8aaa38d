import DockerEngine
import ExecutionTraces
import Foraging
import Sandbox
import Foundation
import Tasks
import Testing
import TestSupport
import Trajectories

/// Tracing in sandboxes against the real engine: a program on its inputs, and the passing tests
/// of Tasks/repos projects, each trace checked against the independent tracer run in the same image.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct TracingDockerTests {
    @Test(.timeLimit(.minutes(10)))
    func programTracedPerInputBehavesAsUntraced() async throws {
        try await TestImages.shared.ensure(["python-pytest"])
        let client = try await DockerClient.connect()
        let tracing = ProgramTracing(client: client, image: "forager/python-pytest:latest", batch: "test-\(UUID().uuidString.prefix(6))")
        let program = ProgramTracing.Program(
            name: "io.py", source: try Data(contentsOf: fixtures.appendingPathComponent("programs/io.py")),
            inputs: [("a.txt", Data("1 2\n".utf8)), ("b.txt", Data("5\n6 7\n".utf8))])
        let outcomes = try await tracing.trace(program, index: 0)
        #expect(outcomes.count == 2)
        for o in outcomes {
            #expect(o.sameBehaviour, "\(o.input ?? ""): traced and untraced runs differ")
            #expect(o.exitCode == 3)
            let record = try #require(o.record, "\(o.error ?? "")")
            #expect(record.cut == nil)
            #expect(record.context.hasPrefix("import sys  # << START_OF_TRACE\n"))
            #expect(record.frames.first?.event == .call)
            #expect(record.frames.last?.event == .return)
        }
        // Each input's numbers come back from read_numbers.
        let returned = outcomes.compactMap { $0.record }.map { r in
            r.frames.first { $0.event == .return && $0.source.contains("return numbers") }?.value
        }
        #expect(returned == ["[1, 2]", "[5, 6, 7]"])
    }

    @Test(.timeLimit(.minutes(30)), arguments: ["calc", "toolz"])
    func repoTracesMatchTheIndependentTracer(_ name: String) async throws {
        try await TestImages.shared.ensure([name == "calc" ? "demo-calc" : name])
        let client = try await DockerClient.connect()
        let spec = try RepoSpec.load(packageRoot.appendingPathComponent("Tasks/repos/\(name).json").path)
        let result = try await RepoTracing(client: client, spec: spec, perFunction: 1, batch: "test-\(UUID().uuidString.prefix(6))").run()
        #expect(result.testsPassed > 10)
        #expect(result.records.count >= 5)
        #expect(result.tracerErrors == 0)
        #expect(result.commit.count == 40)
        // One trace per function at most, entries marked in their contexts.
        #expect(Set(result.records.map { "\($0.file):\($0.line)" }).count == result.records.count)
        for r in result.records {
            let lines = r.context.components(separatedBy: "\n")
            #expect(lines[r.line - 1].hasSuffix(CWMTraceText.entryMarker), "\(r.function): entry line not marked")
            #expect(r.frames.first?.event == .call && r.frames.first?.depth == 0)
        }

        // A few complete traces against the reference tracer re-running their test in the image.
        let chosen = result.records.filter { $0.isComplete && $0.frames.count > 6 }.sorted { $0.frames.count < $1.frames.count }.prefix(4)
        #expect(chosen.count >= 2)
        let reference = try Data(contentsOf: fixtures.appendingPathComponent("reference_tracer.py"))
        let config = SandboxConfig(image: spec.image, repoRoot: spec.repoRoot, runID: "trace-test", role: .forage)
        try await Sandbox.with(client: client, config: config) { sandbox in
            try await sandbox.client.writeFile(container: sandbox.containerID, path: "/tmp/reference_tracer.py", contents: reference)
            for r in chosen {
                let cmd = [spec.python, "/tmp/reference_tracer.py", "pytest", "/tmp/ref.json", "512", spec.repoRoot,
                           spec.sourceDirectories[0], r.file, "\(try #require(r.codeLine))",
                           String(r.function.split(separator: ".").last ?? ""), "\(try #require(r.entryCall))", r.test ?? ""]
                let run = try await sandbox.client.exec(container: sandbox.containerID, cmd, workingDir: spec.repoRoot, timeout: .seconds(600))
                let data = try #require(try await sandbox.client.readFile(container: sandbox.containerID, path: "/tmp/ref.json"),
                                        "\(run.output.stderrText)")
                let events = try JSONDecoder().decode([ReferenceEvent].self, from: data)
                compare(r.frames, events, "\(name) \(r.function) in \(r.test ?? "")")
            }
        }
    }

    /// An issue-fix row of the demo set: its FAIL_TO_PASS tests traced at the bug and with the
    /// gold fix; both variants of the fixed functions are paired, and the pairs diverge.
    @Test(.timeLimit(.minutes(10)))
    func taskTracesPairTheBugWithTheFix() async throws {
        try await TestImages.shared.ensure(["demo-calc"])
        let client = try await DockerClient.connect()
        let rows = try TaskLoader.load(packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl").path)
        let row = try #require(rows.first { $0.instanceID == "demo__calc-1" })
        let result = try await TaskTracing(client: client, task: row, batch: "test-\(UUID().uuidString.prefix(6))").run()
        #expect(result.tests == row.failToPass.count)
        #expect(result.passedAtBug == 0, "the FAIL_TO_PASS tests pass at the bug")
        #expect(result.passedWithFix == row.failToPass.count, "the FAIL_TO_PASS tests fail with the gold fix")
        #expect(result.commit.count == 40)
        let variants = Dictionary(grouping: result.records, by: { $0.variant ?? "" })
        #expect((variants["bug"]?.count ?? 0) > 0 && (variants["fix"]?.count ?? 0) > 0)
        // Only functions of the files the fix changes, each trace of a FAIL_TO_PASS test.
        #expect(result.records.allSatisfy { $0.file == "calc/parser.py" && row.failToPass.contains($0.test ?? "") && $0.kind == .task })
        #expect(result.records.allSatisfy { $0.taskID == row.instanceID })
        // parse_power is what the fix rewrites: its bug and fix traces are paired and differ.
        let power = result.pairs.filter { $0.function.hasSuffix("parse_power") }
        #expect(!power.isEmpty)
        #expect(power.allSatisfy { $0.divergesAt != nil })
        #expect(result.pairs.count <= min(variants["bug"]?.count ?? 0, variants["fix"]?.count ?? 0))
    }

    @Test func pytestArgumentsKeepOptionsAndRunOnlyTheTests() throws {
        let args = try TaskTracing.pytestArguments(testCommand: "python -m pytest -rA -p no:cacheprovider tests/test_a.py tests/test_b.py -k slow",
                                                   tests: ["tests/test_a.py::test_x"], instanceID: "i")
        #expect(args == ["-rA", "-p", "no:cacheprovider", "tests/test_a.py::test_x"])
        #expect(throws: TracingError.self) { try TaskTracing.pytestArguments(testCommand: "./runtests.py x", tests: [], instanceID: "i") }
        #expect(throws: TracingError.self) { try TaskTracing.pytestArguments(testCommand: nil, tests: [], instanceID: "i") }
    }
}
