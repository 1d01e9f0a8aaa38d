import Foundation
import HTTPTransport

/// A one-task swarm service as Forager creates it (`POST /services/create`): the fields it sets.
public struct ServiceSpec: Encodable, Sendable {
    public struct ContainerSpec: Encodable, Sendable {
        public var image: String
        public var command: [String]?
        public var args: [String]?
        public var env: [String]?
        public var dir: String?
        public var labels: [String: String]?
        public var initProcess: Bool?
        public var capabilityDrop: [String]?

        public init(image: String, command: [String]? = nil, args: [String]? = nil, env: [String]? = nil, dir: String? = nil,
                    labels: [String: String]? = nil, initProcess: Bool? = nil, capabilityDrop: [String]? = nil) {
            self.image = image
            self.command = command
            self.args = args
            self.env = env
            self.dir = dir
            self.labels = labels
            self.initProcess = initProcess
            self.capabilityDrop = capabilityDrop
        }

        enum CodingKeys: String, CodingKey {
            case image = "Image", command = "Command", args = "Args", env = "Env", dir = "Dir", labels = "Labels"
            case initProcess = "Init", capabilityDrop = "CapabilityDrop"
        }
    }

    /// CPUs in nano-CPUs, memory in bytes, processes.
    public struct Resources: Encodable, Sendable {
        public var nanoCPUs: Int64?
        public var memoryBytes: Int64?
        public var pids: Int64?

        public init(nanoCPUs: Int64? = nil, memoryBytes: Int64? = nil, pids: Int64? = nil) {
            self.nanoCPUs = nanoCPUs
            self.memoryBytes = memoryBytes
            self.pids = pids
        }

        enum CodingKeys: String, CodingKey { case nanoCPUs = "NanoCPUs", memoryBytes = "MemoryBytes", pids = "Pids" }
    }

    public var name: String
    public var labels: [String: String]
    public var container: ContainerSpec
    public var limits: Resources?
    public var reservations: Resources?
    /// Placement constraints, as `node.id!=abc` or `node.labels.forager.pool==gpu`.
    public var constraints: [String]
    /// Networks by name; `["none"]` leaves the task with loopback only.
    public var networks: [String]

    public init(name: String, labels: [String: String], container: ContainerSpec, limits: Resources? = nil,
                reservations: Resources? = nil, constraints: [String] = [], networks: [String] = []) {
        self.name = name
        self.labels = labels
        self.container = container
        self.limits = limits
        self.reservations = reservations
        self.constraints = constraints
        self.networks = networks
    }

    public func encode(to encoder: Encoder) throws {
        var root = encoder.container(keyedBy: DynamicKey.self)
        try root.encode(name, forKey: "Name")
        try root.encode(labels, forKey: "Labels")
        var template = root.nestedContainer(keyedBy: DynamicKey.self, forKey: "TaskTemplate")
        try template.encode(container, forKey: "ContainerSpec")
        var resources = template.nestedContainer(keyedBy: DynamicKey.self, forKey: "Resources")
        try resources.encodeIfPresent(limits, forKey: "Limits")
        try resources.encodeIfPresent(reservations, forKey: "Reservations")
        // One task, never restarted: a sandbox that ends is over.
        try template.encode(["Condition": "none"], forKey: "RestartPolicy")
        if !constraints.isEmpty { try template.encode(["Constraints": constraints], forKey: "Placement") }
        if !networks.isEmpty { try template.encode(networks.map { ["Target": $0] }, forKey: "Networks") }
        var mode = root.nestedContainer(keyedBy: DynamicKey.self, forKey: "Mode")
        try mode.encode(["Replicas": 1], forKey: "Replicated")
    }
}

struct DynamicKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}

/// A service as `GET /services` lists it.
public struct ServiceSummary: Decodable, Sendable {
    public struct Spec: Decodable, Sendable {
        public let name: String?
        public let labels: [String: String]?
        enum CodingKeys: String, CodingKey { case name = "Name", labels = "Labels" }
    }
    public let id: String
    public let spec: Spec?
    enum CodingKeys: String, CodingKey { case id = "ID", spec = "Spec" }
}

/// One task of a service (`GET /tasks`): where it runs and how far it got.
public struct SwarmTask: Decodable, Sendable {
    public struct Status: Decodable, Sendable {
        public struct ContainerStatus: Decodable, Sendable {
            public let containerID: String?
            enum CodingKeys: String, CodingKey { case containerID = "ContainerID" }
        }
        /// new, allocated, pending, assigned, accepted, preparing, ready, starting, running,
        /// complete, shutdown, failed, rejected, remove, orphaned.
        public let state: String?
        public let message: String?
        public let err: String?
        public let containerStatus: ContainerStatus?
        enum CodingKeys: String, CodingKey { case state = "State", message = "Message", err = "Err", containerStatus = "ContainerStatus" }
    }
    public let id: String
    public let serviceID: String?
    public let nodeID: String?
    public let desiredState: String?
    public let status: Status?
    enum CodingKeys: String, CodingKey {
        case id = "ID", serviceID = "ServiceID", nodeID = "NodeID", desiredState = "DesiredState", status = "Status"
    }

    /// States a task never leaves.
    public var hasEnded: Bool {
        ["complete", "shutdown", "failed", "rejected", "remove", "orphaned"].contains(status?.state ?? "")
    }
}

/// A node of the swarm (`GET /nodes`).
public struct SwarmNode: Decodable, Sendable {
    public struct Spec: Decodable, Sendable {
        public let labels: [String: String]?
        public let role: String?
        public let availability: String?
        enum CodingKeys: String, CodingKey { case labels = "Labels", role = "Role", availability = "Availability" }
    }
    public struct Description: Decodable, Sendable {
        public let hostname: String?
        enum CodingKeys: String, CodingKey { case hostname = "Hostname" }
    }
    public struct Status: Decodable, Sendable {
        /// unknown, down, ready, disconnected.
        public let state: String?
        public let addr: String?
        enum CodingKeys: String, CodingKey { case state = "State", addr = "Addr" }
    }
    public let id: String
    public let spec: Spec?
    public let description: Description?
    public let status: Status?
    enum CodingKeys: String, CodingKey { case id = "ID", spec = "Spec", description = "Description", status = "Status" }

    public var isReady: Bool { status?.state == "ready" && (spec?.availability ?? "active") == "active" }
}

/// What `GET /info` says of the engine's swarm membership.
public struct SwarmMembership: Decodable, Sendable {
    public let localNodeState: String?
    public let controlAvailable: Bool?
    public let nodeID: String?
    enum CodingKeys: String, CodingKey { case localNodeState = "LocalNodeState", controlAvailable = "ControlAvailable", nodeID = "NodeID" }
}

private struct InfoSwarm: Decodable {
    let swarm: SwarmMembership?
    enum CodingKeys: String, CodingKey { case swarm = "Swarm" }
}

private struct ServiceCreated: Decodable {
    let id: String
    enum CodingKeys: String, CodingKey { case id = "ID" }
}

extension DockerClient {
    /// This engine's place in a swarm (not a member: `localNodeState` "inactive").
    public func swarmMembership() async throws(DockerError) -> SwarmMembership {
        try await decode(InfoSwarm.self, "GET", "/info").swarm
            ?? SwarmMembership(localNodeState: "inactive", controlAvailable: false, nodeID: nil)
    }

    /// Creates a service on a manager and returns its id.
    public func createService(_ spec: ServiceSpec, auth: RegistryAuth = RegistryAuth()) async throws(DockerError) -> String {
        try await ShutdownGate.creating { () async throws(DockerError) -> String in
            let response = try await call("POST", "/services/create", body: encodeJSON(spec),
                                          headers: [("X-Registry-Auth", auth.headerValue)])
            return try decodeJSON(ServiceCreated.self, response.body, what: "POST /services/create").id
        }
    }

    /// Removes a service; its tasks' containers are removed by their nodes. A missing one is no error.
    public func removeService(_ id: String) async throws(DockerError) {
        try await call("DELETE", "/services/\(id)", expect: [200, 204, 404])
    }

    public func listServices(labels: [String] = []) async throws(DockerError) -> [ServiceSummary] {
        try await decode([ServiceSummary].self, "GET", "/services",
                         query: [("filters", Query.filters(labels.isEmpty ? [:] : ["label": labels]))])
    }

    /// The tasks of one service.
    public func listTasks(service: String) async throws(DockerError) -> [SwarmTask] {
        try await decode([SwarmTask].self, "GET", "/tasks", query: [("filters", Query.filters(["service": [service]]))])
    }

    public func listNodes() async throws(DockerError) -> [SwarmNode] {
        try await decode([SwarmNode].self, "GET", "/nodes")
    }

    public func inspectNode(_ id: String) async throws(DockerError) -> SwarmNode {
        try await decode(SwarmNode.self, "GET", "/nodes/\(id)")
    }
}
