import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a host program to completion: its exit status and, unless discarded, its standard output
/// and error (read at the same time, so neither pipe can fill and stall the child). With a
/// timeout the child gets SIGKILL, not SIGTERM: children of Forager's tests inherit a blocked
/// SIGTERM, so only SIGKILL stops them reliably. (A grandchild that outlives the child and keeps
/// its output pipes open holds the call until it exits; `exec` the last command where that matters.)
public enum ProcessRunner {
    /// What happens to the child's standard output and error.
    public enum Output: Sendable {
        case capture
        case discard
    }

    public struct Result: Sendable {
        /// The exit status, or the number of the signal that ended the child.
        public var status: Int32
        /// True when the child exited (rather than being killed by a signal).
        public var exited: Bool
        public var stdout: Data
        public var stderr: Data
        /// True when the timeout passed and the child was killed.
        public var timedOut: Bool

        public var succeeded: Bool { exited && status == 0 && !timedOut }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `executable` (a path, or a name looked up in PATH through /usr/bin/env) with
    /// `arguments`. Standard input is inherited unless `stdin` is given, which is written and closed.
    public static func run(
        _ executable: String, _ arguments: [String] = [], currentDirectory: URL? = nil,
        environment: [String: String]? = nil, stdin: Data? = nil, output: Output = .capture,
        timeout: Duration? = nil
    ) throws(ProcessRunnerError) -> Result {
        let process = Process()
        if executable.contains("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        if let environment { process.environment = environment }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = stdin.map { _ in Pipe() }
        switch output {
        case .capture:
            process.standardOutput = outPipe
            process.standardError = errPipe
        case .discard:
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        if let inPipe { process.standardInput = inPipe }

        do {
            try process.run()
        } catch {
            throw .cannotStart(([executable] + arguments).joined(separator: " "), "\(error)")
        }
        let watch = Watch(pid: process.processIdentifier)
        if let timeout {
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) { watch.killIfRunning() }
        }
        let group = DispatchGroup()
        if let stdin, let inPipe {
            _ = brokenPipesIgnored
            let handle = inPipe.fileHandleForWriting
            DispatchQueue.global().async(group: group) {
                // The child may exit without reading; a closed pipe then is not an error here.
                try? handle.write(contentsOf: stdin)
                try? handle.close()
            }
        }
        let errors = Collected()
        var out = Data()
        if output == .capture {
            let errHandle = errPipe.fileHandleForReading
            DispatchQueue.global().async(group: group) { errors.set(errHandle.readDataToEndOfFile()) }
            out = outPipe.fileHandleForReading.readDataToEndOfFile()
        }
        group.wait()
        process.waitUntilExit()
        let timedOut = watch.finish()
        return Result(status: process.terminationStatus, exited: process.terminationReason == .exit,
                      stdout: out, stderr: errors.get(), timedOut: timedOut)
    }

    /// The child's pid until it is reaped, so a late timeout never signals a reused pid.
    private final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true, killed = false
        private let pid: Int32

        init(pid: Int32) { self.pid = pid }

        func killIfRunning() {
            lock.withLock {
                guard running else { return }
                killed = true
                // Its whole group when it leads one, so its own children go too.
                _ = getpgid(pid) == pid ? kill(-pid, SIGKILL) : kill(pid, SIGKILL)
            }
        }

        /// Marks the child finished; true when the timeout killed it.
        func finish() -> Bool {
            lock.withLock {
                running = false
                return killed
            }
        }
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func set(_ value: Data) { lock.withLock { data = value } }
        func get() -> Data { lock.withLock { data } }
    }
}

public enum ProcessRunnerError: Error, Sendable, CustomStringConvertible {
    case cannotStart(String, String)

    public var description: String {
        switch self {
        case .cannotStart(let command, let why): return "cannot start \(command): \(why)"
        }
    }
}

extension Duration {
    /// The duration for Dispatch's deadlines (nanosecond resolution).
    var dispatchInterval: DispatchTimeInterval {
        let parts = components
        let (whole, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .never }
        return .nanoseconds(Int(clamping: whole + parts.attoseconds / 1_000_000_000))
    }
}

/// A write into the pipe of a child that exited raises SIGPIPE, whose default action ends the
/// whole process (a test run died of signal 13 so): ignored once, the write fails with EPIPE instead.
private let brokenPipesIgnored: Bool = {
    signal(SIGPIPE, SIG_IGN)
    return true
}()
