import DockerEngine
import Foundation
import Testing
import TestSupport
@testable import Sandbox

@Suite("Persistent shell", .enabled { await dockerTestsEnabled() })
struct PersistentShellTests {
    @Test("output keeps its trailing newline, stderr is merged in order, state persists, exit codes are known")
    func basics() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            let shell = sandbox.shell
            #expect(try await shell.run("echo hi").text == "hi\n")
            #expect(try await shell.run("echo out; echo err >&2; echo out2") == .success(output: Data("out\nerr\nout2\n".utf8), exitCode: 0))
            #expect(try await shell.run("false") == .success(output: Data(), exitCode: 1))
            #expect(try await shell.run("printf 'no newline'").text == "no newline")
            _ = try await shell.run("cd /tmp && export FOO=bar")
            #expect(try await shell.run("echo $FOO $(pwd)").text == "bar /tmp\n")
            #expect(await shell.currentDirectory == "/tmp")
            // CWM resets $? with its exit-code query, so the model never sees the previous status.
            _ = try await shell.run("false")
            #expect(try await shell.run("echo $?").text == "0\n")
            #expect(await shell.shellsStarted == 1)
        }
    }

    @Test("the start script: PYPLUGIN_PYTHON_PATH, locale, ulimits, and the repository as the directory")
    func startScript() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            let out = try await sandbox.shell.run(#"echo "$PYPLUGIN_PYTHON_PATH $LC_ALL $(ulimit -v) $(ulimit -u) $(pwd)""#)
            #expect(out.text == "/usr/bin/python3 en_US.UTF-8 12582912 65536 /testbed\n")
        }
    }

    @Test("a command that reads stdin swallows the sentinel and times out; the next shell starts at the root")
    func stdinReader() async throws {
        try await withRepoSandbox(timeout: .seconds(2)) { (sandbox: Sandbox) async throws in
            let shell = sandbox.shell
            _ = try await shell.run("cd /tmp && export KEEP=1")
            let started = ContinuousClock.now
            #expect(try await shell.run("cat").failure == .timeout)
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(try await shell.run("echo \"[$KEEP]\" $(pwd)").text == "[] /testbed\n")
            #expect(await shell.shellsStarted == 2)
        }
    }

    @Test("an unterminated heredoc and a long sleep end as timeouts")
    func heredocAndSleep() async throws {
        try await withRepoSandbox(timeout: .seconds(2)) { (sandbox: Sandbox) async throws in
            #expect(try await sandbox.shell.run("cat <<EOF\nnever ends").failure == .timeout)
            #expect(try await sandbox.shell.run("sleep 200").failure == .timeout)
            #expect(try await sandbox.shell.run("echo alive").text == "alive\n")
        }
    }

    @Test("exit 3 ends the shell (exit), and the next command gets a fresh one")
    func exitEndsShell() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            #expect(try await sandbox.shell.run("exit 3").failure == .exit)
            #expect(try await sandbox.shell.run("echo back").text == "back\n")
        }
    }

    @Test("too much output fails as too_long without delivering it; binary output is passed through")
    func tooMuchOutput() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            #expect(try await sandbox.shell.run("yes | head -c 600000").failure == .tooLong)
            let bytes = try await sandbox.shell.run("printf 'a\\xffb\\n'")
            #expect(bytes == .success(output: Data([0x61, 0xff, 0x62, 0x0a]), exitCode: 0))
        }
    }

    @Test("output that prints the sentinel itself is returned whole and the session never falls a reply behind")
    func fakeSentinel() async throws {
        try await withRepoSandbox { (sandbox: Sandbox) async throws in
            for i in 0..<25 {
                #expect(try await sandbox.shell.run("printf '<<exit>1\\n'; echo done \(i)").text == "<<exit>1\ndone \(i)\n")
                #expect(try await sandbox.shell.run("echo 'x<<exit>1y'").text == "x<<exit>1y\n")
                #expect(try await sandbox.shell.run("echo next \(i)").text == "next \(i)\n")
            }
        }
    }

    @Test("a command that reads the sentinel line but not the status line still times out, as in CWM")
    func partialStdinReader() async throws {
        try await withRepoSandbox(timeout: .seconds(2)) { (sandbox: Sandbox) async throws in
            #expect(try await sandbox.shell.run("read a; read b").failure == .timeout)
            #expect(try await sandbox.shell.run("echo fine").text == "fine\n")
        }
    }

    @Test("a background job that keeps stdout open does not hold the command")
    func backgroundJob() async throws {
        // Held by the job, the command would end as a timeout (50 s, before the job's 60 s); on a
        // loaded machine a free command may still take tens of seconds, so no clock is checked.
        try await withRepoSandbox(timeout: .seconds(50)) { (sandbox: Sandbox) async throws in
            let result = try await sandbox.shell.run("sleep 60 & echo started")
            #expect(result.failure == nil)
            #expect(result.text == "started\n")
            #expect(try await sandbox.shell.run("echo next").text == "next\n")
        }
    }

    @Test("a foreground fork bomb times out, every process of it is killed, and the next shell is clean")
    func forkBombForeground() async throws {
        try await withRepoSandbox(timeout: .seconds(3), pids: 128) { (sandbox: Sandbox) async throws in
            let started = ContinuousClock.now
            #expect(try await sandbox.shell.run("bomb() { bomb | bomb; }; bomb").failure == .timeout)
            #expect(ContinuousClock.now - started < .seconds(300), "only a hang takes this long")
            let ps = try await sandbox.shell.run("ps -e --no-headers | wc -l")
            #expect((Int(ps.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "999") ?? 999) < 20)
        }
    }

    @Test("a background fork bomb never hangs Forager: every command ends, in output or a CWM failure")
    func forkBombBackground() async throws {
        try await withRepoSandbox(timeout: .seconds(3), pids: 128) { (sandbox: Sandbox) async throws in
            let started = ContinuousClock.now
            _ = try await sandbox.shell.run("bomb() { bomb | bomb & }; bomb")
            var failures = 0
            for _ in 0..<3 {
                let step = ContinuousClock.now
                let outcome = try await sandbox.shell.run("sleep 0.5; echo tick")
                if outcome.failure != nil { failures += 1 }
                #expect(ContinuousClock.now - step < .seconds(90))
            }
            #expect(ContinuousClock.now - started < .seconds(300))
            // After a failure the whole tree was killed; without one the bomb is still contained by the pids limit.
            let ps = try await sandbox.shell.run("ps -e --no-headers | wc -l")
            let count = Int(ps.text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "999") ?? 999
            #expect(failures == 0 || count < 20, "failures \(failures), processes \(count)")
        }
    }

    @Test("a memory bomb is OOM-killed and the session carries on")
    func memoryBomb() async throws {
        try await withRepoSandbox(timeout: .seconds(20), memory: 256 << 20) { (sandbox: Sandbox) async throws in
            let outcome = try await sandbox.shell.run("python3 -c 'b = []\nwhile True: b.append(bytearray(16 << 20))'")
            switch outcome {
            case .success(_, let code): #expect(code == 137)
            case .failure(let kind, _): #expect(kind == .exit || kind == .timeout)
            }
            #expect(try await sandbox.shell.run("echo survived").text == "survived\n")
        }
    }

    @Test("a container stopped from outside while a command runs is a dead sandbox (thrown), never an observation or a silent restart")
    func containerStoppedOutside() async throws {
        try await withRepoSandbox(timeout: .seconds(60)) { (sandbox: Sandbox) async throws in
            let shell = sandbox.shell
            #expect(try await shell.run("echo up").text == "up\n")
            let stopper = Task {
                try await Task.sleep(for: .seconds(1))
                try await shell.client.stopContainer(shell.containerID, timeoutSeconds: 1)
            }
            do {
                let outcome = try await shell.run("sleep 30; echo never")
                Issue.record("the stopped container gave an outcome: \(outcome)")
            } catch {
                guard case .containerStopped(let id, _, _)? = error as? SandboxError else {
                    Issue.record("expected containerStopped, got \(error)"); return
                }
                #expect(id == shell.containerID)
                #expect("\(error)".contains("stopped while the episode used it"))
            }
            try await stopper.value
            // The next command does not bring the dead sandbox back either.
            await #expect(throws: SandboxError.self) { try await shell.run("echo again") }
            #expect(try await shell.client.inspectContainer(shell.containerID).state.running == false)
        }
    }
}
