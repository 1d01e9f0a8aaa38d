/// The body of `POST /containers/create`: the container's configuration and the host settings a
/// sandbox needs. Nil fields are left out, so the engine's defaults apply.
public struct ContainerSpec: Codable, Sendable {
    public var image: String
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var env: [String]?
    public var workingDir: String?
    public var user: String?
    public var labels: [String: String]?
    public var tty: Bool?
    public var openStdin: Bool?
    public var stopSignal: String?
    public var hostConfig: HostConfig?

    public init(
        image: String, cmd: [String]? = nil, entrypoint: [String]? = nil, env: [String]? = nil,
        workingDir: String? = nil, user: String? = nil, labels: [String: String]? = nil,
        tty: Bool? = nil, openStdin: Bool? = nil, stopSignal: String? = nil, hostConfig: HostConfig? = nil
    ) {
        self.image = image
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.env = env
        self.workingDir = workingDir
        self.user = user
        self.labels = labels
        self.tty = tty
        self.openStdin = openStdin
        self.stopSignal = stopSignal
        self.hostConfig = hostConfig
    }

    enum CodingKeys: String, CodingKey {
        case image = "Image", cmd = "Cmd", entrypoint = "Entrypoint", env = "Env", workingDir = "WorkingDir"
        case user = "User", labels = "Labels", tty = "Tty", openStdin = "OpenStdin", stopSignal = "StopSignal"
        case hostConfig = "HostConfig"
    }
}

/// Limits, isolation and mounts of a container.
public struct HostConfig: Codable, Sendable {
    /// `none`, `bridge`, `host`, or a network name.
    public var networkMode: String?
    /// Bytes of memory; `memorySwap` equal to it means no swap.
    public var memory: Int64?
    public var memorySwap: Int64?
    /// CPUs in units of 1e-9 (0.5 CPU = 500_000_000).
    public var nanoCpus: Int64?
    public var pidsLimit: Int64?
    public var readonlyRootfs: Bool?
    public var capDrop: [String]?
    public var capAdd: [String]?
    public var securityOpt: [String]?
    /// Mount point → options, e.g. `["/tmp": "rw,exec,size=64m"]` (tmpfs is noexec unless told).
    public var tmpfs: [String: String]?
    public var mounts: [Mount]?
    /// docker-init as PID 1, reaping orphans.
    public var initProcess: Bool?
    public var autoRemove: Bool?
    public var privileged: Bool?

    public init(
        networkMode: String? = nil, memory: Int64? = nil, memorySwap: Int64? = nil, nanoCpus: Int64? = nil,
        pidsLimit: Int64? = nil, readonlyRootfs: Bool? = nil, capDrop: [String]? = nil, capAdd: [String]? = nil,
        securityOpt: [String]? = nil, tmpfs: [String: String]? = nil, mounts: [Mount]? = nil,
        initProcess: Bool? = nil, autoRemove: Bool? = nil, privileged: Bool? = nil
    ) {
        self.networkMode = networkMode
        self.memory = memory
        self.memorySwap = memorySwap
        self.nanoCpus = nanoCpus
        self.pidsLimit = pidsLimit
        self.readonlyRootfs = readonlyRootfs
        self.capDrop = capDrop
        self.capAdd = capAdd
        self.securityOpt = securityOpt
        self.tmpfs = tmpfs
        self.mounts = mounts
        self.initProcess = initProcess
        self.autoRemove = autoRemove
        self.privileged = privileged
    }

    enum CodingKeys: String, CodingKey {
        case networkMode = "NetworkMode", memory = "Memory", memorySwap = "MemorySwap", nanoCpus = "NanoCpus"
        case pidsLimit = "PidsLimit", readonlyRootfs = "ReadonlyRootfs", capDrop = "CapDrop", capAdd = "CapAdd"
        case securityOpt = "SecurityOpt", tmpfs = "Tmpfs", mounts = "Mounts", initProcess = "Init"
        case autoRemove = "AutoRemove", privileged = "Privileged"
    }
}

/// A mount: a named volume, a bind mount or a tmpfs.
public struct Mount: Codable, Sendable {
    public var type: String
    public var source: String?
    public var target: String
    public var readOnly: Bool?

    public init(type: String, source: String? = nil, target: String, readOnly: Bool? = nil) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
    }

    public static func volume(_ name: String, at target: String, readOnly: Bool = false) -> Mount {
        Mount(type: "volume", source: name, target: target, readOnly: readOnly)
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly"
    }
}
