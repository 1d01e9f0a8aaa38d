import ArgumentParser
import DockerEngine
import Foundation
import Sandbox

/// Where a command's sandboxes run.
enum ClusterKind: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// The one engine `DOCKER_HOST` names.
    case single
    /// One-task services on the Docker Swarm whose manager `DOCKER_HOST` names.
    case swarm
}

/// `--cluster single|swarm` (or `FORAGER_CLUSTER`), shared by the commands that start sandboxes.
struct ClusterOptions: ParsableArguments {
    static let environmentVariable = "FORAGER_CLUSTER"

    @Option(help: """
        Where sandboxes run: single (the engine DOCKER_HOST names) or swarm (one-task services on the swarm whose \
        manager DOCKER_HOST names; nodes need the label forager.engine=ENGINE-ADDRESS). Default: $FORAGER_CLUSTER, else single.
        """)
    var cluster: ClusterKind?

    /// The choice: the flag, else the environment, else a single engine.
    func kind(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClusterKind {
        if let cluster { return cluster }
        guard let value = environment[Self.environmentVariable], !value.isEmpty else { return .single }
        guard let kind = ClusterKind(rawValue: value.lowercased()) else {
            throw CommandFailure("\(Self.environmentVariable)=\(value): expected one of \(ClusterKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// The swarm to place sandboxes on, or nil on a single engine. `registry` is where the nodes
    /// get the images Forager holds (`--registry`).
    func swarm(manager: DockerClient, registry: String?, quiet: Bool = false) async throws -> SwarmCluster? {
        guard try kind() == .swarm else { return nil }
        if registry == nil, !quiet {
            Output.progress("cluster: no --registry given: every node must already hold the images, or pull them by name\n")
        }
        return try await SwarmCluster.connect(manager: manager, registry: registry)
    }

    /// Runs `body` with every sandbox it starts placed on the swarm (when `--cluster swarm`).
    func placing<T: Sendable>(manager: DockerClient, registry: String?, _ body: () async throws -> T) async throws -> T {
        let swarm = try await swarm(manager: manager, registry: registry)
        return try await SandboxCluster.$swarm.withValue(swarm) { try await body() }
    }

    /// Retries of an instance or episode whose infrastructure failed: `given`, else 2 on a swarm
    /// (a node can leave mid-run), 0 on one engine.
    func infraRetries(_ given: Int?) throws -> Int {
        if let given { return max(0, given) }
        return try kind() == .swarm ? 2 : 0
    }
}
