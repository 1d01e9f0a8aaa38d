import DockerEngine
import Foundation

/// What an episode's container is made of and what it may do. The defaults keep the agent
/// offline, unprivileged and bounded; each is a flag of the commands that start sandboxes.
public struct SandboxConfig: Sendable {
    /// Why the container exists: an agent episode, a grading run, or a foraging validation.
    public enum Role: String, Sendable, CaseIterable {
        case agent, grade, forage, bench
    }

    public var image: String
    /// The repository inside the image; the session starts there (`/testbed` for SWE-bench).
    public var repoRoot: String
    public var runID: String
    public var episodeID: String
    public var role: Role

    /// Memory in bytes (default 8 GiB), and memory plus swap (default the same: no swap).
    public var memoryBytes: Int64
    public var memorySwapBytes: Int64?
    /// CPUs (default 2.0).
    public var cpus: Double
    /// Processes and threads (default 4096): a fork bomb stops there.
    public var pidsLimit: Int64
    /// Network access (default off: only loopback).
    public var network: Bool
    /// Whether the memory, CPU and process limits above apply (default on). Off, the container
    /// gets Docker's defaults for them, as SWE-bench's harness creates its containers; the
    /// dropped capabilities and no-new-privileges stay either way.
    public var resourceCaps: Bool = true
    /// After this the container's main process ends and the container stops, even when Forager
    /// itself was killed (default 7200 s, CWM's SWE-bench Verified setting).
    public var lifetime: Duration
    /// Extra environment variables for the container.
    public var environment: [String]
    /// Extra labels.
    public var labels: [String: String]

    public init(
        image: String, repoRoot: String = "/testbed", runID: String = "adhoc", episodeID: String = UUID().uuidString.lowercased(),
        role: Role = .agent, memoryBytes: Int64 = 8 << 30, memorySwapBytes: Int64? = nil, cpus: Double = 2.0,
        pidsLimit: Int64 = 4096, network: Bool = false, lifetime: Duration = .seconds(7200),
        environment: [String] = [], labels: [String: String] = [:]
    ) {
        self.image = image
        self.repoRoot = repoRoot
        self.runID = runID
        self.episodeID = episodeID
        self.role = role
        self.memoryBytes = memoryBytes
        self.memorySwapBytes = memorySwapBytes
        self.cpus = cpus
        self.pidsLimit = pidsLimit
        self.network = network
        self.lifetime = lifetime
        self.environment = environment
        self.labels = labels
    }

    /// Labels that find a sandbox again: `forager gc` uses them after a crash.
    public enum Label {
        public static let run = "forager.run"
        public static let episode = "forager.episode"
        public static let role = "forager.role"
        /// The Forager process that owns the container, as `host:pid`.
        public static let owner = "forager.owner"
        /// Unix time after which the container has outlived its lifetime.
        public static let deadline = "forager.deadline"
    }

    /// The owner label value of this process.
    public static var currentOwner: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// The container as the engine should create it.
    func containerSpec(now: Date = Date()) -> ContainerSpec {
        let seconds = max(1, lifetime.components.seconds)
        var allLabels = labels
        allLabels[Label.run] = runID
        allLabels[Label.episode] = episodeID
        allLabels[Label.role] = role.rawValue
        allLabels[Label.owner] = Self.currentOwner
        allLabels[Label.deadline] = String(Int64(now.timeIntervalSince1970) + seconds)
        return ContainerSpec(
            image: image,
            // The lifetime is the main process itself: when it ends, the container stops.
            cmd: ["sleep", String(seconds)],
            entrypoint: [""],
            env: environment,
            workingDir: repoRoot,
            labels: allLabels,
            hostConfig: HostConfig(
                networkMode: network ? "bridge" : "none",
                memory: resourceCaps ? memoryBytes : nil,
                memorySwap: resourceCaps ? memorySwapBytes ?? memoryBytes : nil,
                nanoCpus: resourceCaps ? Int64(cpus * 1_000_000_000) : nil,
                pidsLimit: resourceCaps ? pidsLimit : nil,
                capDrop: ["NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "MKNOD", "AUDIT_WRITE"],
                securityOpt: ["no-new-privileges"],
                initProcess: true,
                privileged: false))
    }
}
