import ForagerSupport
import Foundation
import Testing

@Suite struct ProcessRunnerTests {
    @Test func capturesBothStreamsAndTheStatus() throws {
        // More than a pipe buffer on each stream: reading one after the other would stall.
        let script = "head -c 200000 /dev/zero | tr '\\0' o; head -c 200000 /dev/zero | tr '\\0' e >&2; exit 3"
        let result = try ProcessRunner.run("bash", ["-c", script])
        #expect(result.exited && result.status == 3 && !result.timedOut && !result.succeeded)
        #expect(result.stdout.count == 200_000 && result.stdoutText.allSatisfy { $0 == "o" })
        #expect(result.stderr.count == 200_000 && result.stderrText.allSatisfy { $0 == "e" })
    }

    @Test func runsInTheDirectoryWithTheInput() throws {
        let dir = FileManager.default.temporaryDirectory
        let result = try ProcessRunner.run("/bin/sh", ["-c", "pwd; cat"], currentDirectory: dir, stdin: Data("hello\n".utf8))
        #expect(result.succeeded)
        #expect(result.stdoutText == dir.resolvingSymlinksInPath().path + "\nhello\n")
    }

    @Test func aTimeoutKillsWithSIGKILL() throws {
        let started = ContinuousClock.now
        // SIGTERM is ignored here, as in the children of Forager's tests: only SIGKILL stops it.
        let result = try ProcessRunner.run("bash", ["-c", "trap '' TERM; exec sleep 30"], timeout: .milliseconds(300))
        #expect(result.timedOut && !result.exited && result.status == SIGKILL)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        #expect {
            _ = try ProcessRunner.run("/nonexistent/forager-tool", ["x"])
        } throws: { error in
            "\(error)".contains("/nonexistent/forager-tool x")
        }
    }

    @Test func discardedOutputStillGivesTheStatus() throws {
        let result = try ProcessRunner.run("sh", ["-c", "echo hidden; exit 0"], output: .discard)
        #expect(result.succeeded && result.stdout.isEmpty)
    }
}
