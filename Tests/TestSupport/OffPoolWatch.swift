import Foundation

/// Waits for `condition` on a thread of its own and runs `action` there the moment it holds.
///
/// A test that must act while something else is still in flight (kill a run during its second
/// command, signal it while it grades) cannot poll with `Task.sleep`: on two cores the
/// cooperative pool has two threads, other tests of the same process block them for minutes in
/// synchronous waits, and a sleeping task then resumes long after the window it aimed at. Here
/// both the polling and the action run off the pool; the caller's `await` holds no thread.
/// Returns whether the condition held (and the action ran) before `timeout`. A condition that
/// asks a program runs it with `ChildProcess.run`, which waits on the calling thread.
public func watchOffPool(
    every interval: TimeInterval = 0.05, timeout: TimeInterval,
    until condition: @escaping @Sendable () -> Bool, then action: @escaping @Sendable () -> Void = {}
) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let thread = Thread {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if condition() {
                    action()
                    continuation.resume(returning: true)
                    return
                }
                Thread.sleep(forTimeInterval: interval)
            }
            continuation.resume(returning: false)
        }
        thread.start()
    }
}

/// Runs blocking `work` (a socket read, a program) on a thread of its own, so that the
/// cooperative pool stays free for what it waits on (a server in the same process).
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
