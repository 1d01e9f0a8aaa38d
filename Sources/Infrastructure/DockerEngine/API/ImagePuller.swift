import Foundation

/// Pulls the images a run needs that the engine does not hold, `workers` at a time, through the
/// Engine API, with the user's credentials for the image's registry from `~/.docker/config.json`
/// (`auths.<host>.auth`, or its `username`/`password`) when present.
public struct ImagePuller: Sendable {
    public let client: DockerClient
    public let workers: Int
    public var configPath: String

    public init(client: DockerClient, workers: Int = 2,
                configPath: String = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".docker/config.json").path) {
        self.client = client
        self.workers = max(1, workers)
        self.configPath = configPath
    }

    /// Pulls each missing image once; a pull that fails throws, naming every failed image with the
    /// engine's message. `progress` gets one line per started and finished pull (and layer status).
    public func ensure(_ images: [String], progress: @escaping @Sendable (String) -> Void = { _ in }) async throws(ImagePullError) {
        var missing: [String] = []
        for image in Set(images).sorted() {
            do {
                if try await client.inspectImage(image) == nil { missing.append(image) }
            } catch {
                throw ImagePullError(failures: [image: "cannot inspect it: \(error)"])
            }
        }
        guard !missing.isEmpty else { return }
        let auths = RegistryCredentials(configPath: configPath)
        let failures = await withTaskGroup(of: (String, String?).self) { group in
            var queue = missing[...], failed: [String: String] = [:]
            func launch() {
                guard let image = queue.popFirst() else { return }
                group.addTask {
                    let started = ContinuousClock.now
                    progress("pulling \(image)")
                    let (name, tag) = Self.split(image)
                    do {
                        try await client.pullImage(name, tag: tag, auth: auths.auth(for: image)) { line in
                            if let status = line.status, let id = line.id, status == "Pull complete" || status == "Already exists" {
                                progress("  \(image): \(id) \(status.lowercased())")
                            }
                        }
                        let seconds = Double((ContinuousClock.now - started).components.seconds)
                        progress("pulled \(image) in \(Int(seconds)) s")
                        return (image, nil)
                    } catch {
                        return (image, "\(error)")
                    }
                }
            }
            for _ in 0..<workers { launch() }
            for await (image, failure) in group {
                if let failure { failed[image] = failure }
                launch()
            }
            return failed
        }
        if !failures.isEmpty { throw ImagePullError(failures: failures) }
    }

    /// `name[:tag]` → (name, tag); a digest reference keeps its digest in the name and no tag.
    public static func split(_ image: String) -> (String, String) {
        if image.contains("@") { return (image, "") }
        let lastSlash = image.lastIndex(of: "/") ?? image.startIndex
        guard let colon = image[lastSlash...].lastIndex(of: ":") else { return (image, "latest") }
        return (String(image[..<colon]), String(image[image.index(after: colon)...]))
    }
}

/// The registry credentials of a docker `config.json` (`auths` only; credential helpers are not run).
public struct RegistryCredentials: Sendable {
    private var entries: [String: RegistryAuth] = [:]

    public init(configPath: String) {
        guard let data = FileManager.default.contents(atPath: configPath),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let auths = object["auths"] as? [String: Any] else { return }
        for (host, value) in auths {
            guard let entry = value as? [String: Any] else { continue }
            var username = entry["username"] as? String, password = entry["password"] as? String
            if let encoded = entry["auth"] as? String, let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
               let colon = decoded.firstIndex(of: ":") {
                username = String(decoded[..<colon])
                password = String(decoded[decoded.index(after: colon)...])
            }
            let key = Self.normalize(host)
            entries[key] = RegistryAuth(username: username, password: password, serveraddress: host,
                                        identitytoken: entry["identitytoken"] as? String)
        }
    }

    /// The credentials for the registry an image name points at (Docker Hub when it names none).
    public func auth(for image: String) -> RegistryAuth {
        entries[Self.normalize(Self.registry(of: image))] ?? RegistryAuth()
    }

    /// The registry part of an image name: its first component when that has a `.` or `:` or is
    /// `localhost`, else Docker Hub.
    static func registry(of image: String) -> String {
        let first = image.split(separator: "/").first.map(String.init) ?? ""
        if image.contains("/"), first.contains(".") || first.contains(":") || first == "localhost" { return first }
        return "docker.io"
    }

    static func normalize(_ host: String) -> String {
        var h = host.lowercased()
        for prefix in ["https://", "http://"] where h.hasPrefix(prefix) { h.removeFirst(prefix.count) }
        if let slash = h.firstIndex(of: "/") { h = String(h[..<slash]) }
        return ["index.docker.io", "registry-1.docker.io", "docker.io"].contains(h) ? "docker.io" : h
    }
}

/// Images that could not be pulled, each with the engine's message: an infrastructure error of
/// the run, raised before any instance starts.
public struct ImagePullError: Error, Sendable, CustomStringConvertible {
    public let failures: [String: String]
    public var description: String {
        "cannot pull \(failures.count) image\(failures.count == 1 ? "" : "s") (infrastructure error):\n"
            + failures.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }.joined(separator: "\n")
    }
}
