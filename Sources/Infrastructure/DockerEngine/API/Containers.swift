import Foundation

/// What `GET /containers/{id}/json` says (the fields Forager uses).
public struct ContainerInspect: Decodable, Sendable {
    public struct State: Decodable, Sendable {
        public let status: String
        public let running: Bool
        public let oomKilled: Bool
        public let pid: Int
        public let exitCode: Int
        public let error: String?
        public let startedAt: String?
        public let finishedAt: String?

        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", oomKilled = "OOMKilled", pid = "Pid", exitCode = "ExitCode"
            case error = "Error", startedAt = "StartedAt", finishedAt = "FinishedAt"
        }
    }

    public struct Config: Decodable, Sendable {
        public let image: String?
        public let labels: [String: String]?
        public let env: [String]?
        public let workingDir: String?
        public let cmd: [String]?

        enum CodingKeys: String, CodingKey {
            case image = "Image", labels = "Labels", env = "Env", workingDir = "WorkingDir", cmd = "Cmd"
        }
    }

    public let id: String
    public let name: String
    public let created: String?
    public let image: String?
    public let state: State
    public let config: Config
    public let hostConfig: HostConfig?
    public let networkSettings: NetworkSettings?

    /// The networks the container is attached to, by name.
    public struct NetworkSettings: Decodable, Sendable {
        public struct Attachment: Decodable, Sendable {
            /// Empty when the network is named but no endpoint joined it (a swarm task on a
            /// node without its default bridge lists `bridge` so).
            public let endpointID: String?
            public let ipAddress: String?
            enum CodingKeys: String, CodingKey { case endpointID = "EndpointID", ipAddress = "IPAddress" }
            public var isJoined: Bool { !(endpointID ?? "").isEmpty || !(ipAddress ?? "").isEmpty }
        }
        public let networks: [String: Attachment]?
        enum CodingKeys: String, CodingKey { case networks = "Networks" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", created = "Created", image = "Image", state = "State", config = "Config"
        case hostConfig = "HostConfig", networkSettings = "NetworkSettings"
    }
}

/// One row of `GET /containers/json`.
public struct ContainerSummary: Decodable, Sendable {
    public let id: String
    public let names: [String]
    public let image: String
    public let state: String
    public let status: String
    public let labels: [String: String]
    public let created: Int64

    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", state = "State", status = "Status", labels = "Labels"
        case created = "Created"
    }
}

/// The result of waiting for a container to stop.
public struct WaitResult: Decodable, Sendable {
    public struct WaitError: Decodable, Sendable {
        public let message: String?
        enum CodingKeys: String, CodingKey { case message = "Message" }
    }
    public let statusCode: Int
    public let error: WaitError?
    enum CodingKeys: String, CodingKey { case statusCode = "StatusCode", error = "Error" }
}

/// Output of a container or an exec with stdout and stderr kept apart.
public struct CapturedOutput: Sendable {
    public var stdout: Data
    public var stderr: Data
    public init(stdout: Data = Data(), stderr: Data = Data()) {
        self.stdout = stdout
        self.stderr = stderr
    }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

private struct CreateResponse: Decodable {
    let id: String
    let warnings: [String]?
    enum CodingKeys: String, CodingKey { case id = "Id", warnings = "Warnings" }
}

extension DockerClient {
    /// Creates a container and returns its id; `.cancelled` once the process is shutting down
    /// (`ShutdownGate`).
    public func createContainer(_ spec: ContainerSpec, name: String? = nil) async throws(DockerError) -> String {
        try await ShutdownGate.creating { () async throws(DockerError) -> String in
            try await decode(CreateResponse.self, "POST", "/containers/create", query: [("name", name)], body: encodeJSON(spec)).id
        }
    }

    /// Starts a container; starting one that already runs is not an error.
    public func startContainer(_ id: String) async throws(DockerError) {
        try await call("POST", "/containers/\(id)/start")
    }

    /// Waits until the container is no longer running. Throws `.timeout` after `timeout`.
    public func waitContainer(_ id: String, timeout: Duration? = nil, condition: String = "not-running") async throws(DockerError) -> WaitResult {
        try await decode(WaitResult.self, "POST", "/containers/\(id)/wait", query: [("condition", condition)], timeout: timeout)
    }

    /// Sends a signal (default SIGKILL).
    public func killContainer(_ id: String, signal: String = "SIGKILL") async throws(DockerError) {
        try await call("POST", "/containers/\(id)/kill", query: [("signal", signal)])
    }

    /// Stops a container, killing it after `timeoutSeconds`; stopping a stopped one is not an error.
    public func stopContainer(_ id: String, timeoutSeconds: Int = 10) async throws(DockerError) {
        try await call("POST", "/containers/\(id)/stop", query: [("t", String(timeoutSeconds))],
                       timeout: .seconds(timeoutSeconds + 30))
    }

    /// Removes a container; `force` kills it first, `volumes` removes its anonymous volumes.
    public func removeContainer(_ id: String, force: Bool = true, volumes: Bool = true) async throws(DockerError) {
        try await call("DELETE", "/containers/\(id)", query: [("force", force ? "1" : "0"), ("v", volumes ? "1" : "0")])
    }

    public func inspectContainer(_ id: String) async throws(DockerError) -> ContainerInspect {
        try await decode(ContainerInspect.self, "GET", "/containers/\(id)/json")
    }

    /// Lists containers, running and stopped when `all`, filtered by labels (`key` or `key=value`).
    public func listContainers(all: Bool = true, labels: [String] = []) async throws(DockerError) -> [ContainerSummary] {
        try await decode([ContainerSummary].self, "GET", "/containers/json",
                         query: [("all", all ? "1" : "0"), ("filters", Query.filters(labels.isEmpty ? [:] : ["label": labels]))])
    }

    /// The container's logs so far, stdout and stderr apart (for a container created without a TTY).
    public func containerLogs(_ id: String, tail: Int? = nil, timestamps: Bool = false) async throws(DockerError) -> CapturedOutput {
        let response = try await call("GET", "/containers/\(id)/logs",
                                      query: [("stdout", "1"), ("stderr", "1"), ("tail", tail.map(String.init)),
                                              ("timestamps", timestamps ? "1" : nil)])
        var demux = StreamDemuxer()
        var output = CapturedOutput()
        for frame in demux.push(response.body) {
            if frame.stream == .stderr { output.stderr.append(frame.payload) } else { output.stdout.append(frame.payload) }
        }
        return output
    }

    /// Creates a container from `spec` and starts it; the container is removed if it will not start.
    /// Cancellation never leaves a container behind: the create and start requests run to the end
    /// (an aborted create request could leave a container the engine made but whose id never
    /// arrived), and a container made for a task that was cancelled meanwhile is removed.
    public func runContainer(_ spec: ContainerSpec, name: String? = nil) async throws(DockerError) -> String {
        let outcome = await Task.detached { () async -> Result<String, DockerError> in
            let id: String
            do throws(DockerError) { id = try await self.createContainer(spec, name: name) } catch { return .failure(error) }
            do throws(DockerError) {
                try await self.startContainer(id)
                return .success(id)
            } catch {
                try? await self.removeContainer(id, force: true)
                return .failure(error)
            }
        }.value
        let id = try outcome.get()
        if Task.isCancelled {
            await Task.detached { try? await self.removeContainer(id, force: true) }.value
            throw .cancelled
        }
        return id
    }
}
