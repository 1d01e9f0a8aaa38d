import DockerEngine
import Foundation

/// Warm sandboxes (`--warm N`): for each image and set of limits that episodes have asked for, up
/// to `size` sandboxes are kept started with their session open, and — in the `scrubbed` flavour,
/// for tasks that need nothing done to the tree before the scrub — their git history already
/// scrubbed, so an episode takes one ready. A sandbox taken is the episode's alone and closed with
/// it (never reused); the pool refills in the background. The first request for a key starts its
/// sandbox cold and begins filling the pool.
public actor SandboxPool {
    public enum Flavour: String, Sendable, Hashable {
        /// Started, session open.
        case started
        /// Started, session open, git history scrubbed; `head` says at which commit.
        case scrubbed
    }

    /// One sandbox handed out, and whether it came warm.
    public struct Taken: Sendable {
        public var sandbox: Sandbox
        public var warm: Bool
        /// The scrubbed flavour: HEAD when it was scrubbed.
        public var head: String?
    }

    struct Key: Hashable {
        var image: String
        var repoRoot: String
        var memory: Int64
        var swap: Int64?
        var cpus: Double
        var pids: Int64
        var network: Bool
        var lifetime: Duration
        var environment: [String]
        var runID: String
        var flavour: Flavour
        var commandTimeout: Duration
        var startupCommands: String

        init(_ c: SandboxConfig, _ flavour: Flavour, _ shell: PersistentShell.Options) {
            image = c.image; repoRoot = c.repoRoot; memory = c.memoryBytes; swap = c.memorySwapBytes; cpus = c.cpus
            pids = c.pidsLimit; network = c.network; lifetime = c.lifetime; environment = c.environment; runID = c.runID
            self.flavour = flavour
            commandTimeout = shell.commandTimeout
            startupCommands = shell.startupCommands
        }
    }

    private struct Ready {
        var sandbox: Sandbox
        var head: String?
    }

    public nonisolated let client: DockerClient
    public nonisolated let size: Int
    private var ready: [Key: [Ready]] = [:]
    private var filling: [Key: Int] = [:]
    private var configs: [Key: (config: SandboxConfig, shell: PersistentShell.Options)] = [:]
    private var draining = false
    private var fills: [Task<Void, Never>] = []

    public init(client: DockerClient, size: Int) {
        self.client = client
        self.size = max(0, size)
    }

    /// A sandbox for `config` in `flavour`: a warm one when the pool has it, else one started now.
    /// Either way the pool refills toward `size` for this key (the config's image and limits, the
    /// flavour and the session's options).
    public func take(_ config: SandboxConfig, flavour: Flavour, shell: PersistentShell.Options = .init()) async throws(SandboxError) -> Taken {
        let key = Key(config, flavour, shell)
        configs[key] = (config, shell)
        if var list = ready[key], !list.isEmpty {
            let item = list.removeFirst()
            ready[key] = list
            refill(key)
            return Taken(sandbox: item.sandbox, warm: true, head: item.head)
        }
        refill(key)
        let item = try await Self.prepare(client: client, config: config, flavour: flavour, shell: shell)
        return Taken(sandbox: item.sandbox, warm: false, head: item.head)
    }

    /// Closes every sandbox still waiting and stops refilling (at the end of a run, or on a signal).
    public func drain() async {
        draining = true
        let running = fills
        fills = []
        for task in running { task.cancel() }
        for task in running { await task.value }
        let waiting = ready.values.flatMap { $0 }
        ready = [:]
        for item in waiting { await item.sandbox.close() }
    }

    /// Sandboxes waiting in the pool now.
    public var waiting: Int { ready.values.map(\.count).reduce(0, +) }

    private func refill(_ key: Key) {
        guard !draining, let (config, shell) = configs[key] else { return }
        let missing = size - (ready[key]?.count ?? 0) - (filling[key] ?? 0)
        guard missing > 0 else { return }
        filling[key, default: 0] += missing
        for _ in 0..<missing {
            let poolConfig = { var c = config; c.episodeID = "pool-\(UUID().uuidString.prefix(8).lowercased())"; return c }()
            let client = self.client
            fills.append(Task {
                let item = try? await Self.prepare(client: client, config: poolConfig, flavour: key.flavour, shell: shell)
                await self.filled(key, item)
            })
        }
    }

    private func filled(_ key: Key, _ item: Ready?) async {
        filling[key, default: 1] -= 1
        guard let item else { return }
        if draining {
            await item.sandbox.close()
            return
        }
        ready[key, default: []].append(item)
    }

    private static func prepare(client: DockerClient, config: SandboxConfig, flavour: Flavour,
                                shell: PersistentShell.Options) async throws(SandboxError) -> Ready {
        let sandbox = try await Sandbox.start(client: client, config: config, shell: shell)
        do {
            _ = try await sandbox.shell.run(":")
            guard flavour == .scrubbed else { return Ready(sandbox: sandbox, head: nil) }
            let head = try await sandbox.client.exec(container: sandbox.containerID, ["git", "rev-parse", "HEAD"], workingDir: config.repoRoot,
                                             timeout: .seconds(60))
            try await sandbox.scrubGitHistory()
            return Ready(sandbox: sandbox, head: head.exitCode == 0 ? head.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : nil)
        } catch let error as SandboxError {
            await sandbox.close()
            throw error
        } catch let error as DockerError {
            await sandbox.close()
            throw .engine("preparing a warm sandbox from \(config.image)", error)
        } catch {
            await sandbox.close()
            throw .engine("preparing a warm sandbox from \(config.image)", .transport("\(error)"))
        }
    }
}
