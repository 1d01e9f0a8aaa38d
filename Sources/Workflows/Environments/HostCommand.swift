import Foundation
import ForagerSupport

/// Host programs (docker, curl, tar, git) run off the cooperative pool: the blocking wait happens
/// on a Dispatch thread and the caller awaits it, so parallel builds never starve Swift's threads.
enum HostCommand {
    static func run(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil,
                    timeout: Duration? = nil) async throws(EnvBuildError) -> ProcessRunner.Result {
        let outcome: Result<ProcessRunner.Result, ProcessRunnerError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(ProcessRunnerError) in
                    try ProcessRunner.run(executable, arguments, currentDirectory: currentDirectory, timeout: timeout)
                })
            }
        }
        switch outcome {
        case .success(let result): return result
        case .failure(let error): throw .command("\(executable) \(arguments.prefix(2).joined(separator: " "))", "\(error)")
        }
    }

    /// Runs and requires success; the message carries the command's last lines of error output.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], currentDirectory: URL? = nil,
                      timeout: Duration? = nil) async throws(EnvBuildError) -> String {
        let result = try await run(executable, arguments, currentDirectory: currentDirectory, timeout: timeout)
        guard result.succeeded else {
            let tail = (result.stderrText + result.stdoutText).split(separator: "\n").suffix(3).joined(separator: " | ")
            throw .command("\(executable) \(arguments.prefix(3).joined(separator: " "))", result.timedOut ? "timed out" : "exit \(result.status): \(tail)")
        }
        return result.stdoutText
    }
}
