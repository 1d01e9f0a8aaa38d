import DockerEngine
import Foundation

/// The episode's single persistent bash, with CWM's session semantics (spec §2.1).
///
/// The shell is `/bin/bash` reading commands from stdin (no TTY), stderr merged into stdout, on a
/// hijacked exec. Each command is sent as CWM sends it — the command with trailing whitespace
/// removed, then `__EXIT_CODE__=$?` and `echo "<<exit>$((1))"` as plain stdin lines — so a command
/// that reads stdin swallows the sentinel and times out, exactly as in CWM. One more line follows:
/// builtins that print a nonce fresh for this command, the exit code and the physical working
/// directory. The output is everything before the last `<<exit>1` ahead of this command's nonce,
/// so output that prints `<<exit>1` itself can neither end a command early nor put the session a
/// reply behind, and the exit code (CWM's second `get_exitcode` call) needs no second round trip.
///
/// Any failure (timeout, the shell exiting, too much output, a broken pipe) kills the shell and
/// everything it started, and the next command starts a fresh shell at the repository root.
public actor PersistentShell {
    public struct Options: Sendable {
        /// Per-command limit (CWM: 120 s).
        public var commandTimeout: Duration
        /// Bytes of output before the command fails as too long (CWM: 480 KiB).
        public var outputLimit: Int
        /// Commands that restore the task's environment (CWM's `restore_env`), run after the
        /// start script of every fresh shell.
        public var startupCommands: String

        public init(commandTimeout: Duration = .seconds(120), outputLimit: Int = 491_520, startupCommands: String = "") {
            self.commandTimeout = commandTimeout
            self.outputLimit = outputLimit
            self.startupCommands = startupCommands
        }
    }

    /// CWM's `error_type` values.
    public enum Failure: String, Sendable, CaseIterable {
        case timeout, exit, tooLong = "too_long", brokenPipe = "broken_pipe", other
    }

    public enum Outcome: Sendable, Equatable {
        /// `output`: the command's bytes, trailing newline kept. `exitCode`: nil when unknown.
        case success(output: Data, exitCode: Int?)
        case failure(Failure, partialOutput: Data)
    }

    public nonisolated let client: DockerClient
    public nonisolated let containerID: String
    public nonisolated let repoRoot: String
    public nonisolated let options: Options

    private var stream: DuplexStream?
    private var marker = ""
    /// The shell's physical working directory after the last command, when known.
    public private(set) var currentDirectory: String?
    /// How many shells this session has started.
    public private(set) var shellsStarted = 0
    /// True after this session itself stopped the container (a shell it could not kill): the
    /// next shell starts it again. A container that stopped any other way is a dead sandbox.
    private var stoppedByShell = false

    static let sentinel = Data("<<exit>1".utf8)

    init(client: DockerClient, containerID: String, repoRoot: String, options: Options) {
        self.client = client
        self.containerID = containerID
        self.repoRoot = repoRoot
        self.options = options
    }

    /// CWM's start script: environment, `~/.bashrc`, limits (12 GiB of virtual memory and data,
    /// 65536 processes), then the startup commands, then `cd` to the repository.
    var startScript: String {
        let chain = [
            "export PYPLUGIN_PYTHON_PATH=$(command -v python3 || echo /usr/bin/python3)",
            "export LC_ALL=en_US.UTF-8", "export LANG=en_US.UTF-8", "source ~/.bashrc",
            "ulimit -v 12582912", "ulimit -d 12582912", "ulimit -u 65536",
        ].joined(separator: " && ")
        return chain + "\n" + options.startupCommands + "\n" + "cd \(repoRoot)"
    }

    /// Runs one command. Only a dead sandbox throws: an engine failure while starting a shell, or
    /// a container that stopped under the command without this session stopping it (the engine
    /// shutting down, its lifetime ending, something outside the episode), which is CWM's sandbox
    /// death, a backend exception, rather than an observation. Everything the command itself does
    /// is an `Outcome`.
    public func run(_ command: String) async throws(SandboxError) -> Outcome {
        if stream == nil { try await startShell() }
        let outcome = await communicate(command)
        if case .failure(let kind, _) = outcome, kind != .tooLong {
            // The engine learns of its container's end a moment after the exec's stream closes:
            // an unexplained end of the shell is checked again after that moment.
            try await requireContainerAlive()
            if kind != .timeout {
                try? await Task.sleep(for: Self.stateSettling)
                try await requireContainerAlive()
            }
        }
        return outcome
    }

    /// How long the engine may take to record a container's end after its processes died.
    static let stateSettling: Duration = .milliseconds(300)

    /// The current directory, asking the shell (and starting one) when it is not known yet.
    public func workingDirectory() async throws(SandboxError) -> String {
        if let currentDirectory, stream != nil { return currentDirectory }
        _ = try await run(":")
        return currentDirectory ?? repoRoot
    }

    /// Kills the shell and everything it started.
    public func close() async {
        await killShell()
    }

    // MARK: - Internals

    private func startShell() async throws(SandboxError) {
        try await ensureContainerRunning()
        marker = DockerClient.newEnvironmentMarker()
        do {
            stream = try await client.startDuplexExec(
                container: containerID,
                ExecSpec(cmd: ["/bin/bash", "-c", "exec /bin/bash 2>&1"], env: [marker], workingDir: repoRoot))
        } catch {
            throw .engine("starting the session shell", error)
        }
        shellsStarted += 1
        currentDirectory = nil
        // The start script's output and status are ignored, as in CWM. Its time is not a command's:
        // CWM waits up to 120 s for a session to be ready, so a loaded machine does not fail it.
        _ = await communicate(startScript, timeout: max(options.commandTimeout, .seconds(60)))
        if stream == nil {
            throw .engine("starting the session shell", .timeout("the start script did not finish"))
        }
    }

    private func ensureContainerRunning() async throws(SandboxError) {
        try await requireContainerAlive()
        guard stoppedByShell else { return }
        do {
            try await client.startContainer(containerID)
        } catch {
            throw .engine("restarting the sandbox container", error)
        }
        stoppedByShell = false
    }

    /// Throws unless the container runs, or was stopped by this session.
    private func requireContainerAlive() async throws(SandboxError) {
        let state: ContainerInspect.State
        do {
            state = try await client.inspectContainer(containerID).state
        } catch {
            throw .engine("checking the sandbox container", error)
        }
        if !state.running && !stoppedByShell {
            let oomKilled = (try? await client.wasOOMKilled(containerID)) ?? state.oomKilled
            throw .containerStopped(containerID, exitCode: state.exitCode, oomKilled: oomKilled)
        }
    }

    /// One CWM `run_session` call, unsanitized, with CWM's `get_exitcode` answered on the same trip.
    private func communicate(_ command: String, timeout: Duration? = nil) async -> Outcome {
        guard let stream else { return .failure(.other, partialOutput: Data()) }
        let nonce = UUID().uuidString
        var payload = command
        while let last = payload.unicodeScalars.last, last.properties.isWhitespace { payload.unicodeScalars.removeLast() }
        payload += "\n__EXIT_CODE__=$?\necho \"<<exit>$((1))\"\n"
        payload += "builtin printf '\\036%s %s ' '\(nonce)' \"$__EXIT_CODE__\"; builtin pwd -P\n"
        let marker = Data("\u{1e}\(nonce) ".utf8)
        do {
            try await stream.write(Data(payload.utf8))
        } catch {
            await killShell()
            return .failure(.brokenPipe, partialOutput: Data())
        }
        let deadline = ContinuousClock.now + (timeout ?? options.commandTimeout)
        var buffer = Data()
        while true {
            let frame: StreamDemuxer.Frame?
            do {
                frame = try await stream.readFrame(until: deadline)
            } catch {
                let kind: Failure
                if case .timeout = error { kind = await shellExited() ? .exit : .timeout } else { kind = .other }
                await killShell()
                return .failure(kind, partialOutput: buffer)
            }
            guard let frame else {
                await killShell()
                return .failure(.exit, partialOutput: buffer)
            }
            buffer.append(frame.payload)
            if buffer.count > options.outputLimit {
                await killShell()
                return .failure(.tooLong, partialOutput: buffer)
            }
            // Complete once this command's status line has arrived whole. Without the sentinel
            // ahead of it (a stdin reader swallowed that line) CWM would wait for the timeout: so do we.
            guard let status = buffer.range(of: marker),
                  let lineEnd = buffer[status.upperBound...].firstIndex(of: UInt8(ascii: "\n")),
                  let sentinel = buffer[..<status.lowerBound].lastRange(of: Self.sentinel) else { continue }
            let statusText = String(decoding: buffer[status.upperBound..<lineEnd], as: UTF8.self)
            let space = statusText.firstIndex(of: " ") ?? statusText.endIndex
            if space < statusText.endIndex { currentDirectory = String(statusText[statusText.index(after: space)...]) }
            return .success(output: buffer.subdata(in: buffer.startIndex..<sentinel.lowerBound), exitCode: Int(statusText[..<space]))
        }
    }

    private func shellExited() async -> Bool {
        guard let stream else { return true }
        return (try? await client.inspectExec(stream.execID).running) == false
    }

    /// Kills every process of this shell (found by its environment marker). When even that
    /// cannot run — a fork bomb has used up the pids limit — the container is restarted, which
    /// ends every process in it while its files stay.
    private func killShell() async {
        guard let stream else { return }
        self.stream = nil
        currentDirectory = nil
        let client = self.client, id = containerID, marker = self.marker
        // Whether this session stopped the container (the kill of a running one succeeded).
        let stoppedIt = await Task.detached {
            let killed = await client.killProcesses(container: id, environmentMarker: marker)
            stream.close()
            guard !killed else { return false }
            do {
                try await client.killContainer(id)
            } catch {
                return false
            }
            _ = try? await client.waitContainer(id, timeout: .seconds(30))
            return true
        }.value
        if stoppedIt { stoppedByShell = true }
    }
}
