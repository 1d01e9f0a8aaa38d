import DockerEngine
import Foundation

/// Container starts against one engine are bounded (a burst of 32 sandboxes asked for at once
/// queues here instead of piling onto the engine), and an engine error that says "try again"
/// (5xx, a dropped connection, a timeout) is retried with back-off before it fails the start.
actor StartAdmission {
    static let shared = StartAdmission(limit: 8)

    let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()  // the slot passes to the next waiter
        }
    }

    /// Whether a failed create/start is worth another try.
    static func isTransient(_ error: DockerError) -> Bool {
        switch error {
        case .server, .transport, .timeout, .streamFailed: true
        default: false
        }
    }

    /// Runs `start` inside a slot, retrying transient engine errors (`attempts` tries in all,
    /// 250 ms doubling between them).
    static func run(attempts: Int = 4, _ start: () async throws(DockerError) -> String) async throws(DockerError) -> String {
        await shared.acquire()
        defer { Task { await shared.release() } }
        var delay = Duration.milliseconds(250)
        var tries = 0
        while true {
            tries += 1
            do {
                return try await start()
            } catch {
                guard tries < attempts, isTransient(error), !Task.isCancelled else { throw error }
                try? await Task.sleep(for: delay)
                delay *= 2
            }
        }
    }
}
