import Foundation
import HTTPTransport

/// One row of `GET /images/json`.
public struct ImageSummary: Decodable, Sendable {
    public let id: String
    public let repoTags: [String]?
    public let created: Int64
    public let size: Int64
    public let labels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", created = "Created", size = "Size", labels = "Labels"
    }
}

/// What `GET /images/{name}/json` says (the fields Forager uses).
public struct ImageInspect: Decodable, Sendable {
    public struct Config: Decodable, Sendable {
        public let labels: [String: String]?
        public let env: [String]?
        public let cmd: [String]?
        public let entrypoint: [String]?
        public let workingDir: String?
        enum CodingKeys: String, CodingKey {
            case labels = "Labels", env = "Env", cmd = "Cmd", entrypoint = "Entrypoint", workingDir = "WorkingDir"
        }
    }
    public let id: String
    public let repoTags: [String]?
    public let created: String?
    public let size: Int64?
    public let config: Config?

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", created = "Created", size = "Size", config = "Config"
    }
}

/// Options of `POST /build` (the classic builder).
public struct BuildOptions: Sendable {
    public var tags: [String]
    public var dockerfile: String?
    public var labels: [String: String]
    public var buildArgs: [String: String]
    public var noCache: Bool
    /// `bridge` (default), `none` or `host` for RUN steps.
    public var networkMode: String?

    public init(tags: [String], dockerfile: String? = nil, labels: [String: String] = [:], buildArgs: [String: String] = [:],
                noCache: Bool = false, networkMode: String? = nil) {
        self.tags = tags
        self.dockerfile = dockerfile
        self.labels = labels
        self.buildArgs = buildArgs
        self.noCache = noCache
        self.networkMode = networkMode
    }
}

/// Credentials for a registry, sent base64url-encoded in `X-Registry-Auth`.
public struct RegistryAuth: Encodable, Sendable {
    public var username: String?
    public var password: String?
    public var serveraddress: String?
    public var identitytoken: String?

    public init(username: String? = nil, password: String? = nil, serveraddress: String? = nil, identitytoken: String? = nil) {
        self.username = username
        self.password = password
        self.serveraddress = serveraddress
        self.identitytoken = identitytoken
    }

    /// The header value; `{}` (anonymous) when nothing is set, which push still requires.
    var headerValue: String {
        let json = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return json.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

private struct IDOnly: Decodable {
    let id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

extension DockerClient {
    public func listImages(labels: [String] = []) async throws(DockerError) -> [ImageSummary] {
        try await decode([ImageSummary].self, "GET", "/images/json",
                         query: [("filters", Query.filters(labels.isEmpty ? [:] : ["label": labels]))])
    }

    /// The image, or nil when the engine has no image by that name.
    public func inspectImage(_ name: String) async throws(DockerError) -> ImageInspect? {
        do {
            return try await decode(ImageInspect.self, "GET", "/images/\(name)/json")
        } catch .notFound {
            return nil
        }
    }

    /// Builds an image from a context tar (a Dockerfile and what it copies). Each output line goes
    /// to `progress`; a failing step throws `.streamFailed` with the engine's message. Returns the id.
    @discardableResult
    public func buildImage(context tar: Data, options: BuildOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(DockerError) -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("forager-build-\(UUID().uuidString).tar")
        do { try tar.write(to: file) } catch { throw .invalidArgument("cannot write the build context to \(file.path): \(error)") }
        defer { try? FileManager.default.removeItem(at: file) }
        return try await buildImage(contextFile: file.path, options: options, progress: progress)
    }

    /// Builds from a context tar file on disk (no copy in memory).
    @discardableResult
    public func buildImage(contextFile: String, options: BuildOptions, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(DockerError) -> String {
        var query: [(String, String?)] = options.tags.map { ("t", $0) }
        query += [("rm", "1"), ("forcerm", "1"), ("dockerfile", options.dockerfile),
                  ("nocache", options.noCache ? "1" : nil), ("networkmode", options.networkMode)]
        if !options.labels.isEmpty { query.append(("labels", jsonString(options.labels))) }
        if !options.buildArgs.isEmpty { query.append(("buildargs", jsonString(options.buildArgs))) }
        let imageID = LockedBox<String?>(nil)
        try await jsonLines("build", "POST", "/build", query: query, body: .file(path: contextFile, contentType: "application/x-tar")) { line in
            if let id = line.auxID { imageID.withLock { $0 = id } }
            if let text = line.stream { progress(text) } else if let status = line.status { progress(status + "\n") }
        }
        if let id = imageID.withLock({ $0 }) { return id }
        guard let tag = options.tags.first, let image = try await inspectImage(tag) else {
            throw .streamFailed(operation: "build", message: "the build ended without an image id")
        }
        return image.id
    }

    /// Creates an image from a root filesystem tar (`docker import`). `changes` are Dockerfile
    /// instructions such as `CMD ["/bin/bash"]`, `ENV A=1`, `LABEL k=v`.
    @discardableResult
    public func importImage(rootfsTar path: String, repository: String, tag: String, changes: [String] = [], message: String? = nil) async throws(DockerError) -> String {
        var query: [(String, String?)] = [("fromSrc", "-"), ("repo", repository), ("tag", tag), ("message", message)]
        query += changes.map { ("changes", $0) }
        let imageID = LockedBox<String?>(nil)
        try await jsonLines("import", "POST", "/images/create", query: query, body: .file(path: path, contentType: "application/x-tar")) { line in
            if let status = line.status, status.hasPrefix("sha256:") { imageID.withLock { $0 = status } }
        }
        return imageID.withLock { $0 } ?? "\(repository):\(tag)"
    }

    /// Pulls `image:tag` from its registry.
    public func pullImage(_ image: String, tag: String = "latest", auth: RegistryAuth = RegistryAuth(),
                          progress: @escaping @Sendable (JSONLine) -> Void = { _ in }) async throws(DockerError) {
        try await jsonLines("pull", "POST", "/images/create", query: [("fromImage", image), ("tag", tag)],
                            headers: [("X-Registry-Auth", auth.headerValue)], onLine: progress)
    }

    /// Pushes `name:tag` to the registry its name points at. Returns the pushed digest when reported.
    @discardableResult
    public func pushImage(_ name: String, tag: String = "latest", auth: RegistryAuth = RegistryAuth(),
                          progress: @escaping @Sendable (JSONLine) -> Void = { _ in }) async throws(DockerError) -> String? {
        let digest = LockedBox<String?>(nil)
        try await jsonLines("push", "POST", "/images/\(name)/push", query: [("tag", tag)],
                            headers: [("X-Registry-Auth", auth.headerValue)]) { line in
            if let d = line.auxDigest { digest.withLock { $0 = d } }
            progress(line)
        }
        return digest.withLock { $0 }
    }

    /// Gives `source` the name `repository:tag`.
    public func tagImage(_ source: String, repository: String, tag: String) async throws(DockerError) {
        try await call("POST", "/images/\(source)/tag", query: [("repo", repository), ("tag", tag)])
    }

    public func removeImage(_ name: String, force: Bool = false) async throws(DockerError) {
        try await call("DELETE", "/images/\(name)", query: [("force", force ? "1" : "0")])
    }

    /// Writes the named images (with shared layers stored once) as a docker-save tar to `path`.
    public func saveImages(_ names: [String], to path: String) async throws(DockerError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw .invalidArgument("cannot write \(path)")
        }
        defer { try? handle.close() }
        let writeError = LockedBox<String?>(nil)
        let response = try await transport.send(
            HTTPRequest(method: "GET", path: versioned("/images/get") + Query.encode(names.map { ("names", $0) }))
        ) { chunk in
            do { try handle.write(contentsOf: chunk); return true } catch {
                writeError.withLock { $0 = "\(error)" }
                return false
            }
        }
        if let e = writeError.withLock({ $0 }) { throw .invalidArgument("writing \(path): \(e)") }
        guard response.status == 200 else {
            throw .fromStatus(response.status, message: "saving \(names.joined(separator: ", ")): HTTP \(response.status)")
        }
    }

    /// Loads images from a docker-save tar (plain or gzip). Returns the `Loaded image:` lines.
    @discardableResult
    public func loadImages(from path: String) async throws(DockerError) -> [String] {
        let loaded = LockedBox<[String]>([])
        try await jsonLines("load", "POST", "/images/load", query: [("quiet", "1")],
                            body: .file(path: path, contentType: "application/x-tar")) { line in
            if let text = line.stream?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
                loaded.withLock { $0.append(text) }
            }
        }
        return loaded.withLock { $0 }
    }

    /// Snapshots a container's filesystem (not its tmpfs or volumes) as a new image.
    @discardableResult
    public func commitContainer(_ container: String, repository: String, tag: String, comment: String? = nil,
                                labels: [String: String] = [:], pause: Bool = true) async throws(DockerError) -> String {
        let body = try encodeJSON(["Labels": labels])
        return try await decode(IDOnly.self, "POST", "/commit",
                                query: [("container", container), ("repo", repository), ("tag", tag),
                                        ("comment", comment), ("pause", pause ? "1" : "0")],
                                body: body).id
    }
}

func jsonString(_ value: [String: String]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
