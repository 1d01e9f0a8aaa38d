import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program a test runs as a child process: launched at once, its standard output read when
/// the test asks for it, and stopped with SIGKILL — a child of the test process may inherit a
/// blocked SIGTERM, so `terminate()` would not stop it. A child still running when the value
/// is released is killed.
public final class ChildProcess: @unchecked Sendable {
    /// Where the child's standard input comes from.
    public enum Input: Sendable {
        /// The test process's own.
        case inherit
        /// A pipe held open until `closeInput()` (or release), so a reading child waits.
        case pipe
        /// These bytes, then end of file.
        case bytes(Data)
    }

    /// Where the child's standard output or standard error goes.
    public enum Output: Sendable {
        /// Discarded (/dev/null).
        case discard
        /// The test process's own.
        case inherit
        /// Collected in the result (for standard error: mixed into standard output).
        case capture
        /// Appended to this file, created empty first.
        case file(String)
    }

    /// A finished child's exit status (the signal number when a signal ended it) and output.
    public struct Result: Sendable {
        public let status: Int32
        public let data: Data
        /// Whether `finish(timeout:)` had to kill it.
        public let timedOut: Bool

        public var output: String { String(decoding: data, as: UTF8.self) }
    }

    public let process = Process()
    private let outputPipe: Pipe?
    private let inputPipe: Pipe?

    /// Starts `executable` with `arguments` in `directory` (the test process's when nil), its
    /// environment the test process's with `environment` merged over it.
    public init(
        _ executable: URL, _ arguments: [String], directory: URL? = nil, environment: [String: String] = [:],
        removing removedVariables: [String] = [], input: Input = .inherit, output: Output = .capture,
        errors: Output = .discard
    ) throws {
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty || !removedVariables.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for name in removedVariables { merged[name] = nil }
            merged.merge(environment) { _, new in new }
            process.environment = merged
        }
        let pipe: Pipe? = if case .capture = output { Pipe() } else { nil }
        outputPipe = pipe
        if let destination = try Self.destination(output, pipe: pipe) { process.standardOutput = destination }
        if case .capture = errors {
            process.standardError = pipe ?? FileHandle.nullDevice
        } else if let destination = try Self.destination(errors, pipe: nil) {
            process.standardError = destination
        }
        switch input {
        case .inherit:
            inputPipe = nil
        case .pipe, .bytes:
            let stdin = Pipe()
            inputPipe = stdin
            process.standardInput = stdin
        }
        try process.run()
        if case .bytes(let data) = input, let inputPipe {
            inputPipe.fileHandleForWriting.write(data)
            try inputPipe.fileHandleForWriting.close()
        }
    }

    /// Runs `/usr/bin/env arguments…` (a program found on PATH) to its end.
    @discardableResult
    public static func run(
        _ arguments: [String], directory: URL? = nil, environment: [String: String] = [:],
        input: Input = .inherit, errors: Output = .discard
    ) throws -> Result {
        try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments, directory: directory,
                         environment: environment, input: input, errors: errors).finish()
    }

    deinit {
        if process.isRunning { kill() }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Ends a `.pipe` standard input: the child reads end of file.
    public func closeInput() throws {
        try inputPipe?.fileHandleForWriting.close()
    }

    /// SIGKILL, then waits for the exit.
    public func kill() {
        if process.isRunning { send(SIGKILL) }
        process.waitUntilExit()
    }

    /// Sends `signal` (SIGINT, say) without waiting.
    public func send(_ signal: Int32) {
        Glibc.kill(process.processIdentifier, signal)
    }

    /// Blocks until the child closes its output and exits.
    public func finish() -> Result {
        let data = outputPipe?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, data: data, timedOut: false)
    }

    /// Waits for the child off the cooperative pool; one still running after `timeout` (a hang)
    /// is killed, and the result says so.
    public func finish(timeout: Duration) async -> Result {
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if self.process.isRunning { self.send(SIGKILL) }
            return true
        }
        let result: Result = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.finish()) }
        }
        watchdog.cancel()
        let killed = (try? await watchdog.value) ?? false
        return Result(status: result.status, data: result.data, timedOut: killed)
    }

    /// Waits up to `limit` for the child to exit by itself; false when it is still running.
    public func waitForExit(within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        return !process.isRunning
    }

    /// The captured output up to and including its first line break (or all of it, when the
    /// child closes its output first), read off the cooperative pool.
    public func firstLine() async -> String {
        guard let handle = outputPipe?.fileHandleForReading else { return "" }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var text = ""
                while !text.contains("\n") {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }
        }
    }

    /// The handle to give the child; nil for `.inherit` (the default).
    private static func destination(_ output: Output, pipe: Pipe?) throws -> Any? {
        switch output {
        case .discard: return FileHandle.nullDevice
        case .inherit: return nil
        case .capture: return pipe
        case .file(let path):
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
    }
}
