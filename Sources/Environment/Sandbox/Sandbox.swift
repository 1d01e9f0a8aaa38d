import DockerEngine
import Foundation

/// One episode's container: created from the task image with the config's limits, scrubbed of
/// git history newer than the base, and removed on every way out.
///
/// Use `Sandbox.with(…)`, which removes the container however the body ends (return, throw,
/// cancellation). The persistent shell and file access are `shell` and `files`.
public actor Sandbox {
    public nonisolated let client: DockerClient
    public nonisolated let config: SandboxConfig
    public nonisolated let containerID: String
    /// Where the sandbox runs on a swarm (`--cluster swarm`); nil on a single engine.
    public nonisolated let placement: SwarmPlacement?
    private nonisolated let cluster: SwarmCluster?
    private var closed = false

    /// The episode's persistent bash session, started lazily on its first command.
    public nonisolated let shell: PersistentShell
    /// File access for the host-side tools.
    public nonisolated let files: SandboxFiles

    private init(client: DockerClient, config: SandboxConfig, containerID: String, shellOptions: PersistentShell.Options,
                 placement: SwarmPlacement? = nil, cluster: SwarmCluster? = nil) {
        self.client = client
        self.config = config
        self.containerID = containerID
        self.placement = placement
        self.cluster = cluster
        self.shell = PersistentShell(client: client, containerID: containerID, repoRoot: config.repoRoot, options: shellOptions)
        self.files = SandboxFiles(client: client, containerID: containerID)
    }

    /// Creates and starts the container: on `client`'s engine, or as a one-task service of the
    /// task's swarm (`SandboxCluster.swarm`), then on the engine of the node it landed on.
    /// Nothing is left behind if this fails.
    public static func start(client: DockerClient, config: SandboxConfig, shell: PersistentShell.Options = .init()) async throws(SandboxError) -> Sandbox {
        if let swarm = SandboxCluster.swarm {
            let placement = try await swarm.place(config)
            return Sandbox(client: placement.client, config: config, containerID: placement.containerID, shellOptions: shell,
                           placement: placement, cluster: swarm)
        }
        guard try await imageExists(client: client, config.image) else {
            throw .imageMissing(config.image)
        }
        let id: String
        do {
            let spec = config.containerSpec()
            id = try await StartAdmission.run { () async throws(DockerError) in try await client.runContainer(spec) }
        } catch {
            throw .engine("starting a container from \(config.image)", error)
        }
        return Sandbox(client: client, config: config, containerID: id, shellOptions: shell)
    }

    /// Runs `body` with a started sandbox and removes the container afterwards, also when `body`
    /// throws or the task is cancelled.
    public static func with<T: Sendable>(
        client: DockerClient, config: SandboxConfig, shell: PersistentShell.Options = .init(),
        _ body: (Sandbox) async throws -> T
    ) async throws -> T {
        let sandbox = try await start(client: client, config: config, shell: shell)
        do {
            let result = try await body(sandbox)
            await sandbox.close()
            return result
        } catch {
            await sandbox.close()
            throw error
        }
    }

    /// Stops the session and removes the container and its volumes. Runs to completion even when
    /// the calling task is cancelled. Safe to call twice.
    public func close() async {
        guard !closed else { return }
        closed = true
        let client = self.client, id = containerID, shell = self.shell
        let files = self.files
        let placement = self.placement, cluster = self.cluster
        await Task.detached {
            await shell.close()
            await files.close()
            if let placement, let cluster {
                await cluster.release(placement)
            } else {
                try? await client.removeContainer(id, force: true, volumes: true)
            }
        }.value
    }

    /// Removes the git history a model should not see (remotes, every ref but the current branch,
    /// tags, upstream, reflog, unreachable objects) and checks that nothing newer than HEAD stays
    /// reachable. As SWE-bench and CWM do before an episode.
    @discardableResult
    public func scrubGitHistory() async throws(SandboxError) -> GitScrub.Report {
        try await GitScrub.run(shell: shell, repoRoot: config.repoRoot)
    }

    /// Whether the container still runs (it stops when its lifetime ends or its init dies).
    public func isRunning() async -> Bool {
        (try? await client.inspectContainer(containerID).state.running) ?? false
    }

    private static func imageExists(client: DockerClient, _ image: String) async throws(SandboxError) -> Bool {
        do {
            return try await client.inspectImage(image) != nil
        } catch {
            throw .engine("looking up image \(image)", error)
        }
    }
}

public enum SandboxError: Error, Sendable, CustomStringConvertible {
    case imageMissing(String)
    case engine(String, DockerError)
    /// The sandbox container stopped without Forager stopping it.
    case containerStopped(String, exitCode: Int, oomKilled: Bool)
    case scrubFailed(String)
    /// The swarm could not place or follow a sandbox (`--cluster swarm`).
    case swarm(String)

    public var description: String {
        switch self {
        case .imageMissing(let image):
            return "Image \(image) does not exist; build it with `forager images build` (or pull it)."
        case .engine(let what, let error):
            return "\(what): \(error)"
        case .containerStopped(let id, let exitCode, let oomKilled):
            let cause = oomKilled ? "out of memory" : "exit code \(exitCode)"
            return "the sandbox container \(id.prefix(12)) stopped while the episode used it (\(cause)): "
                + "the engine shut down, its lifetime ended, or something outside the episode stopped it"
        case .scrubFailed(let why):
            return "Git history scrub failed: \(why)"
        case .swarm(let why):
            return why
        }
    }
}
