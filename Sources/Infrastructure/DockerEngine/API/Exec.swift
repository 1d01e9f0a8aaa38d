import Foundation
import HTTPTransport

/// The body of `POST /containers/{id}/exec`.
public struct ExecSpec: Codable, Sendable {
    public var cmd: [String]
    public var env: [String]?
    public var workingDir: String?
    public var user: String?
    public var attachStdin: Bool
    public var attachStdout: Bool
    public var attachStderr: Bool
    public var tty: Bool

    public init(cmd: [String], env: [String]? = nil, workingDir: String? = nil, user: String? = nil,
                attachStdin: Bool = false, attachStdout: Bool = true, attachStderr: Bool = true, tty: Bool = false) {
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.attachStdin = attachStdin
        self.attachStdout = attachStdout
        self.attachStderr = attachStderr
        self.tty = tty
    }

    enum CodingKeys: String, CodingKey {
        case cmd = "Cmd", env = "Env", workingDir = "WorkingDir", user = "User", attachStdin = "AttachStdin"
        case attachStdout = "AttachStdout", attachStderr = "AttachStderr", tty = "Tty"
    }
}

/// What `GET /exec/{id}/json` says.
public struct ExecInspect: Decodable, Sendable {
    public let id: String
    public let running: Bool
    public let exitCode: Int?
    public let pid: Int?
    public let containerID: String?
    enum CodingKeys: String, CodingKey {
        case id = "ID", running = "Running", exitCode = "ExitCode", pid = "Pid", containerID = "ContainerID"
    }
}

/// The result of a one-shot exec.
public struct ExecResult: Sendable {
    public var exitCode: Int?
    public var output: CapturedOutput
    public var timedOut: Bool
    public var stdout: Data { output.stdout }
    public var stderr: Data { output.stderr }
}

private struct IDResponse: Decodable {
    let id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

extension DockerClient {
    public func createExec(container: String, _ spec: ExecSpec) async throws(DockerError) -> String {
        try await decode(IDResponse.self, "POST", "/containers/\(container)/exec", body: encodeJSON(spec)).id
    }

    public func inspectExec(_ id: String) async throws(DockerError) -> ExecInspect {
        try await decode(ExecInspect.self, "GET", "/exec/\(id)/json")
    }

    /// Runs a command to completion and captures stdout and stderr apart, with its exit code.
    ///
    /// After `timeout` the command and every process it started (found by an environment marker,
    /// which children inherit) are killed with SIGKILL, and the result says `timedOut`.
    public func exec(
        container: String, _ cmd: [String], env: [String] = [], workingDir: String? = nil, user: String? = nil,
        timeout: Duration? = nil
    ) async throws(DockerError) -> ExecResult {
        try await exec(container: container, cmd, env: env, workingDir: workingDir, user: user, timeout: timeout, marked: true)
    }

    /// A fresh marker for `killProcesses`, as an environment entry.
    public static func newEnvironmentMarker() -> String { "FORAGER_EXEC_MARKER=\(UUID().uuidString)" }

    func exec(
        container: String, _ cmd: [String], env: [String], workingDir: String?, user: String?,
        timeout: Duration?, marked: Bool
    ) async throws(DockerError) -> ExecResult {
        let marker = Self.newEnvironmentMarker()
        let spec = ExecSpec(cmd: cmd, env: marked ? env + [marker] : env, workingDir: workingDir, user: user)
        let execID = try await createExec(container: container, spec)
        let collector = LockedBox((StreamDemuxer(), CapturedOutput()))
        let request = HTTPRequest(
            method: "POST", path: versioned("/exec/\(execID)/start"),
            body: .data(Data(#"{"Detach":false,"Tty":false}"#.utf8), contentType: "application/json"),
            timeout: timeout)
        var timedOut = false
        do throws(DockerError) {
            let response = try await transport.send(request) { chunk in
                collector.withLock { state in
                    for frame in state.0.push(chunk) {
                        if frame.stream == .stderr { state.1.stderr.append(frame.payload) } else { state.1.stdout.append(frame.payload) }
                    }
                }
                return true
            }
            guard response.status == 200 || response.status == 101 else {
                throw DockerError.fromStatus(response.status, message: "exec start: HTTP \(response.status)")
            }
        } catch .timeout {
            timedOut = true
            if marked { await killProcesses(container: container, environmentMarker: marker) }
        } catch .cancelled {
            // The caller gave up: the process must not keep running. Detached, since requests
            // from this cancelled task would abort at once.
            if marked { _ = await Task.detached { await self.killProcesses(container: container, environmentMarker: marker) }.value }
            throw .cancelled
        }
        var inspect = try await inspectExec(execID)
        if timedOut {
            // The killed process needs a moment to be reaped before its exit code shows.
            for _ in 0..<50 where inspect.running {
                try? await Task.sleep(for: .milliseconds(20))
                inspect = try await inspectExec(execID)
            }
        }
        return ExecResult(exitCode: inspect.exitCode, output: collector.withLock { $0.1 }, timedOut: timedOut)
    }

    /// Kills every process in the container whose environment carries `marker` (an exec's
    /// environment is inherited by everything it starts, `setsid` children included). Returns false
    /// when it could not make sure: the killer could not run (a fork bomb that filled the pids
    /// limit) or marked processes survived; the caller then restarts the container.
    ///
    /// Processes are frozen (SIGSTOP) over several passes before any is killed, since a stopped
    /// process cannot fork: a bomb that refills every freed pid cannot outrun the scan. The bash
    /// version forks nothing while it scans; images without bash get a plain POSIX sh version.
    @discardableResult
    public func killProcesses(container: String, environmentMarker marker: String) async -> Bool {
        let bashScript = """
            marked() {
              pids=()
              local d e
              for d in /proc/[0-9]*; do
                while IFS= read -r -d '' e; do
                  if [[ $e == '\(marker)' ]]; then pids+=("${d#/proc/}"); break; fi
                done < "$d/environ" 2>/dev/null
              done
            }
            for pass in 1 2 3 4 5; do marked; for p in "${pids[@]}"; do kill -STOP "$p" 2>/dev/null; done; done
            marked; for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
            marked; for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null; done
            left=0
            marked
            for p in "${pids[@]}"; do
              IFS= read -r stat < "/proc/$p/stat" 2>/dev/null || continue
              rest=${stat##*) }
              [ "${rest%% *}" != Z ] && left=$((left+1))
            done
            [ "$left" -eq 0 ]
            """
        if let result = try? await exec(container: container, ["/bin/bash", "-c", bashScript], env: [], workingDir: nil, user: nil, timeout: .seconds(10), marked: false),
           result.exitCode == 0 {
            return true
        }
        let shScript = """
            for d in /proc/[0-9]*; do
              if tr '\\0' '\\n' < "$d/environ" 2>/dev/null | grep -qx '\(marker)'; then kill -9 "${d#/proc/}" 2>/dev/null; fi
            done
            """
        let result = try? await exec(container: container, ["/bin/sh", "-c", shScript], env: [], workingDir: nil, user: nil, timeout: .seconds(10), marked: false)
        return result?.exitCode == 0
    }

    /// Starts an exec with stdin attached on a hijacked connection (the engine answers `101 UPGRADED`
    /// and the socket becomes a raw duplex stream of multiplexed frames).
    public func startDuplexExec(container: String, _ spec: ExecSpec) async throws(DockerError) -> DuplexStream {
        var spec = spec
        spec.attachStdin = true
        spec.tty = false
        let execID = try await createExec(container: container, spec)
        let stream = try await DuplexStream.open(
            transport: transport, path: versioned("/exec/\(execID)/start"),
            body: Data(#"{"Detach":false,"Tty":false}"#.utf8), execID: execID)
        return stream
    }
}
