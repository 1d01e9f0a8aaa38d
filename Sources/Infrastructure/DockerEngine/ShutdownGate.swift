import Foundation
import Synchronization

/// The process is shutting down (Ctrl-C, SIGTERM): once the gate is closed no container or volume
/// is created any more, so the objects a signal handler lists are all there will ever be, and
/// whatever finishes after the signal (a grade of a container the handler removed, a retry) knows
/// not to record itself as a result.
public enum ShutdownGate {
    private struct State { var closed = false; var creating = 0 }
    private static let state = Mutex(State())

    /// True once `close` was called.
    public static var isClosed: Bool { state.withLock { $0.closed } }

    /// Refuses every creation from now on and waits (up to `limit`) for the creations already
    /// under way to return, so their objects can be listed.
    public static func close(waitingUpTo limit: Duration) {
        state.withLock { $0.closed = true }
        let deadline = ContinuousClock.now + limit
        while state.withLock({ $0.creating }) > 0, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// Runs `create` unless the gate is closed (then `.cancelled`); `close` waits for it.
    static func creating<T>(_ create: () async throws(DockerError) -> T) async throws(DockerError) -> T {
        let admitted = state.withLock { state -> Bool in
            if state.closed { return false }
            state.creating += 1
            return true
        }
        guard admitted else { throw .cancelled }
        defer { state.withLock { $0.creating -= 1 } }
        return try await create()
    }
}
