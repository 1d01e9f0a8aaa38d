import Foundation
import Testing
import TestSupport
@testable import DockerEngine

@Suite("Exec", .enabled { await dockerTestsEnabled() })
struct ExecTests {
    @Test("large binary stdout (12.8 MB) arrives intact, stderr kept apart")
    func largeBinaryOutput() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let script = "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 50000)\nsys.stdout.flush()\nsys.stderr.write('on-stderr\\n')"
            let result = try await client.exec(container: id, ["python3", "-c", script], timeout: .seconds(60))
            #expect(result.exitCode == 0)
            let expected = Data((0..<50000).flatMap { _ in (0...255).map { UInt8($0) } })
            #expect(result.stdout.count == 12_800_000)
            #expect(result.stdout == expected)
            #expect(result.output.stderrText == "on-stderr\n")
        }
    }

    @Test("exit codes: 0, 1, 7, and 126 with the runtime's message for a missing binary")
    func exitCodes() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            #expect(try await client.exec(container: id, ["true"]).exitCode == 0)
            #expect(try await client.exec(container: id, ["false"]).exitCode == 1)
            #expect(try await client.exec(container: id, ["sh", "-c", "exit 7"]).exitCode == 7)
            let missing = try await client.exec(container: id, ["/nope"])
            #expect(missing.exitCode == 126)
            #expect((missing.output.stdoutText + missing.output.stderrText).contains("/nope"))
        }
    }

    @Test("working directory, environment and user reach the process")
    func execOptions() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let result = try await client.exec(container: id, ["sh", "-c", "pwd; echo $GREETING; id -u"],
                                               env: ["GREETING=hello"], workingDir: "/etc", user: "nobody")
            #expect(result.output.stdoutText == "/etc\nhello\n65534\n")
        }
    }

    @Test("a timeout kills the command and its children")
    func timeoutKills() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let started = ContinuousClock.now
            let result = try await client.exec(container: id, ["bash", "-c", "sleep 300 & sleep 301; echo never"], timeout: .seconds(1))
            #expect(result.timedOut)
            #expect(!result.output.stdoutText.contains("never"))
            #expect(ContinuousClock.now - started < .seconds(120), "the command sleeps 300 s: only a missed kill should fail this")
            let ps = try await client.exec(container: id, ["ps", "-eo", "args"])
            #expect(!ps.output.stdoutText.contains("sleep 30"))
        }
    }

    @Test("a duplex session echoes what it is sent, and ends at end of input")
    func duplexEcho() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let stream = try await client.startDuplexExec(container: id, ExecSpec(cmd: ["cat"]))
            try await stream.write(Data("hello\n".utf8))
            var echoed = Data()
            while echoed.count < 6, let frame = try await stream.readFrame(until: .now + .seconds(10)) {
                #expect(frame.stream == .stdout)
                echoed.append(frame.payload)
            }
            #expect(String(decoding: echoed, as: UTF8.self) == "hello\n")

            try await stream.write(Data("second line\n".utf8))
            stream.closeWrite()
            var rest = Data()
            while let frame = try await stream.readFrame(until: .now + .seconds(10)) { rest.append(frame.payload) }
            #expect(String(decoding: rest, as: UTF8.self) == "second line\n")
            stream.close()
            let inspect = try await client.inspectExec(stream.execID)
            #expect(inspect.exitCode == 0)
        }
    }

    @Test("a duplex bash keeps state between commands and separates stderr")
    func duplexBash() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let stream = try await client.startDuplexExec(container: id, ExecSpec(cmd: ["bash", "--noprofile", "--norc"]))
            defer { stream.close() }
            try await stream.write(Data("cd /tmp; export X=42; echo err >&2; echo \"$PWD $X\"\n".utf8))
            var out = Data(), err = Data()
            while !String(decoding: out, as: UTF8.self).hasSuffix("\n") || err.isEmpty {
                guard let frame = try await stream.readFrame(until: .now + .seconds(10)) else { break }
                if frame.stream == .stderr { err.append(frame.payload) } else { out.append(frame.payload) }
            }
            #expect(String(decoding: out, as: UTF8.self) == "/tmp 42\n")
            #expect(String(decoding: err, as: UTF8.self) == "err\n")
        }
    }

    @Test("reading past the deadline throws .timeout and the stream stays usable")
    func duplexDeadline() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            let stream = try await client.startDuplexExec(container: id, ExecSpec(cmd: ["cat"]))
            defer { stream.close() }
            let error = await captureError { try await stream.readFrame(until: .now + .milliseconds(200)) }
            guard case .timeout = error else { Issue.record("expected .timeout, got \(String(describing: error))"); return }
            try await stream.write(Data("x\n".utf8))
            let frame = try await stream.readFrame(until: .now + .seconds(10))
            #expect(frame?.payload == Data("x\n".utf8))
        }
    }
}
