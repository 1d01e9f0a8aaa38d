import Foundation

/// A `ShellSession` on the host: each command runs in a fresh `/bin/bash` started in the
/// session's current directory, with CWM's stdin protocol, timeout and output cap.
///
/// Only the directory carries over between commands (`cd` persists); exported variables and
/// shell options do not. As in CWM, any failure resets the directory to the default one.
public actor LocalShellSession: ShellSession {
    /// CWM's session output buffer: 480 KiB.
    public static let defaultOutputLimit = 491_520
    /// CWM's per-command session timeout.
    public static let defaultTimeoutSeconds = 120.0

    /// Where the session starts, and where it returns after a failure.
    public nonisolated let defaultDirectory: String
    public nonisolated let timeoutSeconds: Double
    public nonisolated let outputLimit: Int
    private let environment: [String: String]

    private var logicalDirectory: String
    private var physicalDirectory: String
    private var isRunning = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// - Parameters:
    ///   - directory: the default directory; it must exist.
    ///   - timeoutSeconds: the per-command limit, after which the command fails with `timeout`.
    ///   - outputLimit: the byte count above which a command fails with `tooLong`.
    ///   - environment: the shell's environment; the host's when nil.
    public init(
        directory: String,
        timeoutSeconds: Double = LocalShellSession.defaultTimeoutSeconds,
        outputLimit: Int = LocalShellSession.defaultOutputLimit,
        environment: [String: String]? = nil
    ) throws(ToolBackendError) {
        guard let physical = SystemCalls.realPath(directory),
              SystemCalls.isDirectory(physical) == true
        else {
            throw ToolBackendError("Cannot start a local shell session in \(directory): no such directory.")
        }
        self.defaultDirectory = directory
        self.timeoutSeconds = timeoutSeconds
        self.outputLimit = outputLimit
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.logicalDirectory = directory
        self.physicalDirectory = physical
    }

    /// The current directory with symlinks resolved (what a process started there sees).
    public var currentDirectory: String { physicalDirectory }

    /// The current directory as the shell's `$PWD` shows it.
    public var workingDirectory: String { logicalDirectory }

    public func run(_ command: String) async throws(ToolBackendError) -> ShellCommandResult {
        // Commands run one at a time, as in a real persistent shell.
        await acquire()
        defer { release() }

        let process = BashCommandProcess(
            command: command,
            directory: logicalDirectory,
            fallbackDirectory: defaultDirectory,
            environment: environment,
            timeoutSeconds: timeoutSeconds,
            outputLimit: outputLimit)
        let outcome = await Self.runOnOwnThread(process)

        switch outcome {
        case .couldNotStart(let reason):
            throw ToolBackendError("Local shell session in \(defaultDirectory) could not run a command: \(reason)")
        case .failed(let kind, let partial):
            resetDirectory()
            return .failure(kind, partialOutput: TextDecoding.utf8DroppingInvalid(partial))
        case .finished(let output, let exitCode, let logical, let physical):
            if let logical, let physical {
                logicalDirectory = logical
                physicalDirectory = physical
            }
            return .success(output: TextDecoding.utf8DroppingInvalid(output), exitCode: exitCode)
        }
    }

    private func resetDirectory() {
        logicalDirectory = defaultDirectory
        physicalDirectory = SystemCalls.realPath(defaultDirectory) ?? defaultDirectory
    }

    /// The blocking exchange gets a thread of its own so it never occupies the cooperative pool.
    private static func runOnOwnThread(_ process: BashCommandProcess) async -> BashCommandProcess.Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: process.run())
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func acquire() async {
        if !isRunning {
            isRunning = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            isRunning = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
