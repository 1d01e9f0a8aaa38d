import ForagerSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One command run the way CWM's persistent session runs it (spec §2.1), in a `/bin/bash`
/// started for this command in the session's directory.
///
/// The command is written to the shell's stdin followed by the sentinel lines, and stdin stays
/// open until the sentinel arrives, so a command that reads stdin swallows the sentinel and
/// times out, as in CWM. The output is stdout and stderr merged. This is blocking code: it runs
/// on a thread of its own.
struct BashCommandProcess: Sendable {
    /// The sentinel CWM waits for. The script writes it as `$((1))` so that the command text
    /// (which a stdin-reading command may echo back) never contains it.
    static let sentinel = Array("<<exit>1".utf8)
    /// Precedes the exit code and directories the script prints just before the sentinel.
    static let stateMarker = Array("\n<<state>2\n".utf8)

    var command: String
    /// The logical directory to start in (the session's `$PWD`).
    var directory: String
    /// Where to start when `directory` is gone.
    var fallbackDirectory: String
    var environment: [String: String]
    var timeoutSeconds: Double
    var outputLimit: Int

    enum Outcome: Sendable {
        case finished(output: [UInt8], exitCode: Int?, logicalDirectory: String?, physicalDirectory: String?)
        case failed(ShellFailureKind, partialOutput: [UInt8])
        case couldNotStart(String)
    }

    /// The bytes written to the shell: CWM's `command.rstrip() + "\n__EXIT_CODE__=$?\n"`, then
    /// the state line this session needs to carry the directory over, then CWM's sentinel line.
    var script: [UInt8] {
        let text = PythonText.rstrip(command) + "\n"
            + "__EXIT_CODE__=$?\n"
            + "printf '\\n<<state>%d\\n%s\\n%s\\n%s\\n' $((2)) \"$__EXIT_CODE__\" \"$PWD\" \"$(pwd -P)\"\n"
            + "echo \"<<exit>$((1))\"\n"
        return Array(text.utf8)
    }

    func run() -> Outcome {
        guard let output = SystemCalls.closeOnExecPipe() else {
            return .couldNotStart("cannot create a pipe: \(SystemCalls.errorText(errno))")
        }
        guard let input = SystemCalls.closeOnExecSocketPair() else {
            close(output.read); close(output.write)
            return .couldNotStart("cannot create a socket pair: \(SystemCalls.errorText(errno))")
        }
        let spawned = spawn(stdin: input.child, stdout: output.write)
        close(input.child)
        close(output.write)
        guard case .success(let pid) = spawned else {
            close(input.parent); close(output.read)
            if case .failure(let message) = spawned { return .couldNotStart(message) }
            return .couldNotStart("cannot start /bin/bash")
        }
        let outcome = exchange(pid: pid, stdin: input.parent, stdout: output.read)
        close(output.read)
        return outcome
    }

    private enum SpawnResult { case success(pid_t), failure(String) }

    private func spawn(stdin: Int32, stdout: Int32) -> SpawnResult {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stdout, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group, so a timeout can kill the command's children too; default signal
        // handling and an empty mask, whatever the host process set up.
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // A small bash enters the directory (keeping the logical path) and becomes the shell
        // that reads the command from stdin.
        let arguments = [
            "/bin/bash", "-c", "cd -- \"$1\" 2>/dev/null || cd -- \"$2\" 2>/dev/null; exec /bin/bash",
            "bash", directory, fallbackDirectory,
        ]
        var environment = self.environment
        environment["PWD"] = directory
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environmentLines.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let status = posix_spawn(&pid, "/bin/bash", &actions, &attributes, argv, envp)
        guard status == 0 else {
            return .failure("cannot start /bin/bash: \(SystemCalls.errorText(status))")
        }
        return .success(pid)
    }

    /// Writes the script and reads until the sentinel, the output limit, the shell's death or
    /// the timeout.
    private func exchange(pid: pid_t, stdin: Int32, stdout: Int32) -> Outcome {
        let script = self.script
        var written = 0
        var stdinOpen = true
        var buffer: [UInt8] = []
        let deadline = SystemCalls.monotonicSeconds() + timeoutSeconds
        var chunk = [UInt8](repeating: 0, count: 65536)

        func closeStdin() {
            if stdinOpen { close(stdin); stdinOpen = false }
        }
        func fail(_ kind: ShellFailureKind) -> Outcome {
            closeStdin()
            kill(-pid, SIGKILL)
            reap(pid)
            return .failed(kind, partialOutput: buffer)
        }

        while true {
            let remaining = deadline - SystemCalls.monotonicSeconds()
            if remaining <= 0 {
                // CWM reports `exit` when the shell had already died before the timeout.
                return fail(hasExited(pid) ? .exit : .timeout)
            }
            var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)]
            let wantsToWrite = stdinOpen && written < script.count
            if wantsToWrite { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000 + 1, 60_000)))
            if ready < 0 {
                if errno == EINTR { continue }
                return fail(.other)
            }
            if wantsToWrite, fds[1].revents != 0 {
                let sent = script[written...].withUnsafeBytes { bytes in
                    send(stdin, bytes.baseAddress, bytes.count, SystemCalls.noSignalFlag)
                }
                if sent > 0 {
                    written += sent
                } else if sent < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                    return fail(.brokenPipe)
                }
            }
            if fds[0].revents != 0 {
                let count = read(stdout, &chunk, chunk.count)
                if count < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return fail(.other)
                }
                if count == 0 {
                    // Every writer is gone: the shell died before printing the sentinel.
                    return fail(.exit)
                }
                let searchFrom = max(0, buffer.count - Self.sentinel.count)
                buffer.append(contentsOf: chunk[0..<count])
                if buffer.count > outputLimit {
                    return fail(.tooLong)
                }
                if Occurrences.first(of: Self.sentinel, in: buffer, from: searchFrom) != nil,
                   let finished = finish(buffer) {
                    closeStdin()
                    reap(pid)
                    return finished
                }
            }
        }
    }

    /// Splits the buffer at the last sentinel and the state block before it.
    private func finish(_ buffer: [UInt8]) -> Outcome? {
        guard let sentinelAt = lastIndex(of: Self.sentinel, in: buffer[...]),
              let stateAt = lastIndex(of: Self.stateMarker, in: buffer[..<sentinelAt])
        else { return nil }
        let state = buffer[(stateAt + Self.stateMarker.count)..<sentinelAt]
        let lines = state.split(separator: 0x0A, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 3 else { return nil }
        return .finished(
            output: Array(buffer[..<stateAt]),
            exitCode: Int(lines[0]),
            logicalDirectory: lines[1].isEmpty ? nil : lines[1],
            physicalDirectory: lines[2].isEmpty ? nil : lines[2])
    }

    private func lastIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var start = haystack.endIndex - needle.count
        while start >= haystack.startIndex {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
            start -= 1
        }
        return nil
    }

    private func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    /// Waits for the shell after its stdin closed; a shell that lingers is killed.
    private func reap(_ pid: pid_t) {
        var status: Int32 = 0
        for _ in 0..<100 {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || result < 0 { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }
}
