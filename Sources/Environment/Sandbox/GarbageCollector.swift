import DockerEngine
import Foundation

/// Finds and removes what crashed runs left behind: sandbox containers (and volumes) whose owning
/// Forager process is gone, whose lifetime has ended, or that have stopped.
public struct GarbageCollector: Sendable {
    public struct Leftover: Sendable, Codable {
        public let kind: String
        public let id: String
        public let name: String
        public let run: String?
        public let role: String?
        public let reason: String
    }

    public let client: DockerClient

    public init(client: DockerClient) { self.client = client }

    /// What would be removed. With `all`, every Forager container and volume, live ones included.
    public func leftovers(all: Bool = false, now: Date = Date()) async throws(DockerError) -> [Leftover] {
        var found: [Leftover] = []
        var seen: Set<String> = []
        for label in [SandboxConfig.Label.owner, "forager.test", "forager.bench"] {
            for c in try await client.listContainers(all: true, labels: [label]) where !seen.contains(c.id) {
                seen.insert(c.id)
                guard let reason = all ? "--all" : Self.reason(labels: c.labels, now: now) else { continue }
                found.append(Leftover(kind: "container", id: c.id, name: c.names.first ?? c.id,
                                      run: c.labels[SandboxConfig.Label.run], role: c.labels[SandboxConfig.Label.role], reason: reason))
            }
        }
        for v in try await client.listVolumes(labels: [SandboxConfig.Label.owner]) {
            let labels = v.labels ?? [:]
            guard let reason = all ? "--all" : Self.reason(labels: labels, now: now) else { continue }
            found.append(Leftover(kind: "volume", id: v.name, name: v.name, run: labels[SandboxConfig.Label.run],
                                  role: labels[SandboxConfig.Label.role], reason: reason))
        }
        return found
    }

    /// Removes the leftovers (containers first, then volumes) and returns what was removed.
    @discardableResult
    public func collect(all: Bool = false, now: Date = Date()) async throws(DockerError) -> [Leftover] {
        let items = try await leftovers(all: all, now: now)
        for item in items where item.kind == "container" { try? await client.removeContainer(item.id, force: true, volumes: true) }
        for item in items where item.kind == "volume" { try? await client.removeVolume(item.id) }
        return items
    }

    /// Why a Forager object is garbage, or nil when a live process may still use it. A stopped
    /// sandbox of a live run is not garbage: its shell restarts it on the next command. Objects
    /// without an owner label are only removed with `--all`.
    static func reason(labels: [String: String], now: Date) -> String? {
        if let deadline = labels[SandboxConfig.Label.deadline].flatMap(Int64.init), Int64(now.timeIntervalSince1970) > deadline {
            return "lifetime ended"
        }
        guard let owner = labels[SandboxConfig.Label.owner] else { return nil }
        let parts = owner.split(separator: ":")
        if parts.count == 2, String(parts[0]) == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]), !processAlive(pid) {
            return "owner process \(pid) is gone"
        }
        return nil
    }

    static func processAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
