import Foundation
import ModelServer

/// A `ModelServer` (what `forager serve` runs) listening on 127.0.0.1 in this process, on a free port.
public final class RunningModelServer: Sendable {
    public let port: Int
    private let task: Task<Void, Never>

    private init(port: Int, task: Task<Void, Never>) {
        self.port = port
        self.task = task
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `server` and returns once it listens.
    public static func start(_ server: ModelServer) async throws -> RunningModelServer {
        let (ports, feed) = AsyncStream<Int>.makeStream()
        let task = Task {
            do {
                try await server.run(host: "127.0.0.1", port: 0) { port in feed.yield(port) }
            } catch {
                FileHandle.standardError.write(Data("RunningModelServer: \(error)\n".utf8))
            }
            feed.finish()
        }
        for await port in ports { return RunningModelServer(port: port, task: task) }
        throw ServerDidNotStart()
    }

    /// Stops serving: the server shuts down (it stops listening, open requests end) and this
    /// returns once it has. (Never poll the port meanwhile: a connection accepted while the server
    /// shuts down is not one it can answer.)
    public func stop() async {
        task.cancel()
        await task.value
    }

    struct ServerDidNotStart: Error, CustomStringConvertible {
        var description: String { "the model server stopped before it listened" }
    }
}
