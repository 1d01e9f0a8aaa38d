import Foundation

/// `forager` running in the background, its standard error in a file, its JSON output collected
/// when it ends (a test that stops early does not leave it running: the child is killed).
public final class LaunchedForager {
    public let child: ChildProcess
    public let stderrPath: String

    public init(_ arguments: [String], environment: [String: String], stderrPath: String) throws {
        self.stderrPath = stderrPath
        child = try ForagerLauncher.launch(arguments, environment: environment, errors: .file(stderrPath))
    }

    /// Waits for the exit; a process still running after `limit` is a hang: killed, and reported.
    public func finish(within limit: Duration) async throws -> (status: Int32, output: String) {
        let result = await child.finish(timeout: limit)
        if result.timedOut {
            throw TestFailure(description: "forager run still running \(limit) after the engine stopped (killed); stderr:\n\(stderr())")
        }
        return (result.status, result.output)
    }

    public func stderr() -> String {
        let text = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return String(text.suffix(4000))
    }
}
