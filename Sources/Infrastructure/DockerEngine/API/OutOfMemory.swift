import Foundation

extension DockerClient {
    /// Whether the kernel's OOM killer hit a process of this stopped container: its PID 1, the child
    /// an init runs, or an exec'd process.
    ///
    /// `State.OOMKilled` alone misses some. Engine 20.10 sets it from containerd's exit event, and
    /// when the cgroup's OOM notice reaches the engine after the exit (here: 1 of 80 containers OOM-
    /// killed under load, its `oom` event 160 ms after `die`), the flag stays false for good, while the
    /// `oom` event is still published. So this also replays the container's `oom` events and, for an
    /// exit by SIGKILL (137), looks again for up to `grace` before saying no.
    public func wasOOMKilled(_ id: String, grace: Duration = .seconds(2)) async throws(DockerError) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while true {
            let inspect = try await inspectContainer(id)
            if inspect.state.oomKilled { return true }
            if try await recordsOOMEvent(inspect.id, created: inspect.created) { return true }
            guard !inspect.state.running, inspect.state.exitCode == 137, clock.now < deadline else { return false }
            do { try await Task.sleep(for: .milliseconds(200)) } catch { throw .cancelled }
        }
    }

    /// Replays the engine's past `oom` events for one container (the engine keeps its last 256 events).
    func recordsOOMEvent(_ id: String, created: String?) async throws(DockerError) -> Bool {
        let since = created.flatMap(Self.wholeSeconds).map { $0.addingTimeInterval(-1) } ?? Date(timeIntervalSince1970: 1)
        let stream = events(filters: ["type": ["container"], "container": [id], "event": ["oom"]], since: since, until: Date())
        do {
            for try await event in stream where event.action == "oom" { return true }
            return false
        } catch let error as DockerError {
            throw error
        } catch {
            throw .transport("replaying events of container \(id): \(error)")
        }
    }

    /// `2026-12-03T11:06:20.420577705Z` to its whole second (Foundation's parser takes at most milliseconds).
    private static func wholeSeconds(_ timestamp: String) -> Date? {
        guard timestamp.count >= 19 else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: String(timestamp.prefix(19)) + "Z")
    }
}
