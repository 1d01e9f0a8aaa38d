import Foundation

public struct VolumeSummary: Decodable, Sendable {
    public let name: String
    public let driver: String?
    public let labels: [String: String]?
    enum CodingKeys: String, CodingKey { case name = "Name", driver = "Driver", labels = "Labels" }
}

private struct VolumeList: Decodable {
    let volumes: [VolumeSummary]?
    enum CodingKeys: String, CodingKey { case volumes = "Volumes" }
}

private struct VolumeCreate: Encodable {
    let name: String
    let driver: String
    let driverOpts: [String: String]
    let labels: [String: String]
    enum CodingKeys: String, CodingKey { case name = "Name", driver = "Driver", driverOpts = "DriverOpts", labels = "Labels" }
}

extension DockerClient {
    /// Creates a named volume. A tmpfs-backed one (`driverOptions: ["type": "tmpfs", "device": "tmpfs",
    /// "o": "size=64m"]`) is reachable by the archive endpoints even on a read-only root filesystem.
    @discardableResult
    public func createVolume(name: String, driverOptions: [String: String] = [:], labels: [String: String] = [:]) async throws(DockerError) -> VolumeSummary {
        try await ShutdownGate.creating { () async throws(DockerError) -> VolumeSummary in
            try await decode(VolumeSummary.self, "POST", "/volumes/create",
                             body: encodeJSON(VolumeCreate(name: name, driver: "local", driverOpts: driverOptions, labels: labels)))
        }
    }

    public func listVolumes(labels: [String] = []) async throws(DockerError) -> [VolumeSummary] {
        try await decode(VolumeList.self, "GET", "/volumes",
                         query: [("filters", Query.filters(labels.isEmpty ? [:] : ["label": labels]))]).volumes ?? []
    }

    public func removeVolume(_ name: String, force: Bool = true) async throws(DockerError) {
        try await call("DELETE", "/volumes/\(name)", query: [("force", force ? "1" : "0")])
    }
}
