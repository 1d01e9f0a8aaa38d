import DockerEngine
import Foundation

/// Where the sandboxes of the current task run. Nil (the default): on the engine handed to
/// `Sandbox.start`. Set with `SandboxCluster.$swarm.withValue(cluster) { … }` around a command's
/// work (`--cluster swarm`), every sandbox started inside — agent, grading, foraging, tracing,
/// warm pool — is a one-task service on that swarm; child tasks inherit it.
public enum SandboxCluster {
    @TaskLocal public static var swarm: SwarmCluster?
}

/// Where one sandbox landed on the swarm: its service, its node, and that node's engine, which
/// the session, the file tools, archives and logs talk to.
public struct SwarmPlacement: Sendable {
    public let serviceID: String
    public let nodeID: String
    public let containerID: String
    public let client: DockerClient
}

/// Sandboxes as swarm services (`--cluster swarm`): the manager schedules, Forager follows each
/// task to its node's engine. Images reach the nodes through `registry`: one Forager built or
/// holds is pushed there once and referenced by digest, so every node runs the same bytes.
public actor SwarmCluster {
    /// The node label holding a node's engine address (`unix:///…` or `tcp://HOST:PORT`).
    public static let engineLabel = "forager.engine"

    public nonisolated let manager: DockerClient
    public nonisolated let registry: String?
    /// How long a task may take to reach `running` (a pull of a large image included).
    public var startTimeout: Duration = .seconds(600)
    private let credentials: RegistryCredentials
    private var nodeClients: [String: DockerClient] = [:]
    private var references: [String: String] = [:]
    /// Nodes whose engine failed us, with when to try them again.
    private var avoided: [String: ContinuousClock.Instant] = [:]

    init(manager: DockerClient, registry: String?, credentials: RegistryCredentials) {
        self.manager = manager
        self.registry = registry
        self.credentials = credentials
    }

    /// Checks that `manager` is a swarm manager and every ready node says where its engine is.
    public static func connect(
        manager: DockerClient, registry: String?,
        dockerConfig: String = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".docker/config.json").path
    ) async throws(SandboxError) -> SwarmCluster {
        let membership: SwarmMembership
        do { membership = try await manager.swarmMembership() } catch { throw .engine("asking \(manager.endpoint) about its swarm", error) }
        guard membership.controlAvailable == true else {
            throw .swarm("""
                --cluster swarm: the engine at \(manager.endpoint) is not a swarm manager (swarm state \
                \(membership.localNodeState ?? "unknown")); point DOCKER_HOST at a manager, or run `docker swarm init` there
                """)
        }
        let nodes: [SwarmNode]
        do { nodes = try await manager.listNodes() } catch { throw .engine("listing the swarm's nodes", error) }
        let unlabelled = nodes.filter { $0.isReady && ($0.spec?.labels?[engineLabel] ?? "").isEmpty }
        if let node = unlabelled.first {
            throw .swarm("""
                --cluster swarm: node \(node.description?.hostname ?? node.id) does not say where its engine listens; label it: \
                docker node update --label-add \(engineLabel)=tcp://ADDRESS:2376 \(node.id)
                """)
        }
        guard nodes.contains(where: \.isReady) else { throw .swarm("--cluster swarm: no node of the swarm at \(manager.endpoint) is ready") }
        return SwarmCluster(manager: manager, registry: registry, credentials: RegistryCredentials(configPath: dockerConfig))
    }

    /// The image as the services name it: itself when it already names the registry or a digest
    /// (or no registry is set), else pushed to the registry once and named by its digest.
    public func reference(for image: String) async throws(SandboxError) -> String {
        guard let registry, !image.contains("@"), !image.hasPrefix(registry + "/") else { return image }
        if let known = references[image] { return known }
        let (repository, tag) = ImagePuller.split(image)
        let target = "\(registry)/\(repository)"
        do {
            guard try await manager.inspectImage(image) != nil else { throw SandboxError.imageMissing(image) }
            try await manager.tagImage(image, repository: target, tag: tag)
            let auth = credentials.auth(for: target)
            guard let digest = try await manager.pushImage(target, tag: tag, auth: auth) else {
                throw SandboxError.swarm("pushing \(target):\(tag) to \(registry): the registry reported no digest")
            }
            let reference = "\(target)@\(digest)"
            references[image] = reference
            return reference
        } catch let error as SandboxError {
            throw error
        } catch let error as DockerError {
            throw .engine("pushing \(image) to the registry \(registry) (--registry)", error)
        } catch {
            throw .swarm("pushing \(image) to \(registry): \(error)")
        }
    }

    /// Starts `config` as a one-task service and follows it to its node. A node whose engine does
    /// not answer is avoided for a while and the sandbox placed again elsewhere.
    func place(_ config: SandboxConfig) async throws(SandboxError) -> SwarmPlacement {
        let image = try await reference(for: config.image)
        var lastProblem = ""
        for _ in 0..<3 {
            let now = ContinuousClock.now
            let spec = Self.serviceSpec(config, image: image, avoiding: avoided.filter { $0.value > now }.map(\.key).sorted())
            let serviceID: String
            let manager = self.manager, auth = credentials.auth(for: image)
            do {
                serviceID = try await StartAdmission.run { @Sendable () async throws(DockerError) in
                    try await manager.createService(spec, auth: auth)
                }
            } catch {
                throw .engine("creating a swarm service from \(image)", error)
            }
            let task: SwarmTask
            do {
                switch try await waitUntilRunning(serviceID, image: image) {
                case .running(let running):
                    task = running
                case .nodeUnreachable(let nodeID, let why):
                    // Assigned to a node whose engine is gone, before the manager noticed.
                    lastProblem = why
                    avoid(nodeID)
                    try? await manager.removeService(serviceID)
                    continue
                }
            } catch {
                try? await manager.removeService(serviceID)
                throw error
            }
            guard let nodeID = task.nodeID, let containerID = task.status?.containerStatus?.containerID else {
                try? await manager.removeService(serviceID)
                throw .swarm("the swarm task of \(image) runs but names no node or container")
            }
            let client: DockerClient
            do {
                client = try await nodeClient(nodeID)
            } catch {
                lastProblem = error.description
                avoid(nodeID)
                try? await manager.removeService(serviceID)
                continue
            }
            let placement = SwarmPlacement(serviceID: serviceID, nodeID: nodeID, containerID: containerID, client: client)
            if !config.network {
                // A service cannot ask for no network: only a node without a default bridge
                // leaves it with loopback alone. Checked, never assumed.
                let networks = (try? await client.inspectContainer(containerID))?.networkSettings?.networks ?? [:]
                let attached = networks.filter { $0.key != "none" && $0.value.isJoined }.keys.sorted()
                if !attached.isEmpty {
                    await release(placement)
                    throw .swarm("swarm node \(nodeID) attached an offline sandbox to \(attached.joined(separator: ", ")): a swarm "
                                 + "service cannot ask for no network, so nodes must run dockerd with --bridge=none (as "
                                 + "Scripts/swarm-testbed does); or allow the sandboxes network with --network")
                }
            }
            return placement
        }
        throw .swarm("no node took the sandbox of \(image): \(lastProblem)")
    }

    /// Removes the sandbox: its container on its node, then its service on the manager (a node
    /// that is gone removes the container itself when it comes back).
    func release(_ placement: SwarmPlacement) async {
        do {
            try await placement.client.removeContainer(placement.containerID, force: true, volumes: true)
        } catch {
            if case .notFound = error {} else { avoid(placement.nodeID) }
        }
        try? await manager.removeService(placement.serviceID)
    }

    /// Takes a node out of placement for `duration` (its engine failed a request).
    public func avoid(_ nodeID: String, for duration: Duration = .seconds(120)) {
        avoided[nodeID] = .now + duration
        nodeClients[nodeID] = nil
    }

    /// The engine of a node, from its `forager.engine` label (TLS as the manager's when TCP).
    public func nodeClient(_ nodeID: String) async throws(SandboxError) -> DockerClient {
        if let known = nodeClients[nodeID] { return known }
        let node: SwarmNode
        do { node = try await manager.inspectNode(nodeID) } catch { throw .engine("looking up swarm node \(nodeID)", error) }
        let name = node.description?.hostname ?? nodeID
        guard let address = node.spec?.labels?[Self.engineLabel], !address.isEmpty else {
            throw .swarm("swarm node \(name) has no \(Self.engineLabel) label: docker node update --label-add \(Self.engineLabel)=tcp://ADDRESS:2376 \(nodeID)")
        }
        var endpoint: DockerEndpoint
        do { endpoint = try DockerEndpoint.parse(address) } catch {
            throw .swarm("swarm node \(name): label \(Self.engineLabel)=\(address) is not an engine address (\(error))")
        }
        if case .tcp = endpoint.transport { endpoint.tls = manager.endpoint.tls }
        let client: DockerClient
        do { client = try await DockerClient.connect(endpoint: endpoint) } catch {
            throw .engine("reaching the engine of swarm node \(name) at \(address)", error)
        }
        nodeClients[nodeID] = client
        return client
    }

    private enum Wait {
        case running(SwarmTask)
        case nodeUnreachable(String, String)
    }

    /// Follows the service's task until it runs. A task that has waited on its node for a few
    /// seconds gets that node's engine pinged: a node that died before the manager marked it
    /// down would keep the task waiting until `startTimeout`.
    private func waitUntilRunning(_ serviceID: String, image: String) async throws(SandboxError) -> Wait {
        let started = ContinuousClock.now
        let deadline = started + startTimeout
        var delay = Duration.milliseconds(20)
        var checked: Set<String> = []
        while true {
            if Task.isCancelled { throw .swarm("cancelled while the swarm placed a sandbox of \(image)") }
            let tasks: [SwarmTask]
            do { tasks = try await manager.listTasks(service: serviceID) } catch {
                throw .engine("following the swarm task of \(image)", error)
            }
            if let running = tasks.first(where: { $0.status?.state == "running" }) { return .running(running) }
            if let ended = tasks.first(where: \.hasEnded) {
                let why = [ended.status?.err, ended.status?.message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                throw .swarm("the swarm task of \(image) ended as \(ended.status?.state ?? "?") before it ran: \(why)"
                             + (why.contains("No such image") && registry == nil ? " (give --registry so every node can pull it)" : ""))
            }
            if ContinuousClock.now - started > .seconds(3), let nodeID = tasks.first?.nodeID, !checked.contains(nodeID) {
                checked.insert(nodeID)
                do {
                    let client = try await nodeClient(nodeID)
                    _ = try await client.ping()
                } catch let error as SandboxError {
                    return .nodeUnreachable(nodeID, error.description)
                } catch {
                    return .nodeUnreachable(nodeID, "\(error)")
                }
            }
            if ContinuousClock.now > deadline {
                let state = tasks.first?.status.map { "\($0.state ?? "?") (\($0.message ?? ""))" } ?? "no task yet"
                throw .swarm("the swarm task of \(image) did not run within \(startTimeout): \(state)")
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(250))
        }
    }

    /// The service of one sandbox: its container as on a single engine (labels, lifetime, init,
    /// dropped capabilities), its limits also reserved, never restarted, kept off `avoiding`.
    static func serviceSpec(_ config: SandboxConfig, image: String, avoiding: [String]) -> ServiceSpec {
        let container = config.containerSpec()
        let constraints = avoiding.map { "node.id!=\($0)" }
        let host = container.hostConfig
        // The limits are reservations too: the scheduler never packs a node past them.
        let resources = config.resourceCaps
            ? ServiceSpec.Resources(nanoCPUs: host?.nanoCpus, memoryBytes: host?.memory, pids: host?.pidsLimit) : nil
        let reservations = config.resourceCaps ? ServiceSpec.Resources(nanoCPUs: host?.nanoCpus, memoryBytes: host?.memory) : nil
        let name = "forager-\(config.role.rawValue)-\(UUID().uuidString.prefix(12).lowercased())"
        return ServiceSpec(
            name: name, labels: container.labels ?? [:],
            container: .init(image: image, command: container.cmd, env: container.env, dir: container.workingDir,
                             labels: container.labels, initProcess: true, capabilityDrop: host?.capDrop),
            limits: resources, reservations: reservations, constraints: constraints,
            // No networks either way: swarm has no "none" network (it fails the task); a node
            // started with --bridge=none then gives the task loopback only, checked in `place`.
            networks: [])
    }
}
