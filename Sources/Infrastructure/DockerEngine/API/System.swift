import Foundation
import HTTPTransport

/// What `GET /info` and `GET /version` say about the engine (the fields Forager uses).
public struct EngineInfo: Decodable, Sendable {
    public let serverVersion: String?
    public let driver: String?
    public let cgroupVersion: String?
    public let cgroupDriver: String?
    public let ncpu: Int?
    public let memTotal: Int64?
    public let operatingSystem: String?
    public let kernelVersion: String?
    public let containers: Int?
    public let images: Int?
    public let dockerRootDir: String?

    enum CodingKeys: String, CodingKey {
        case serverVersion = "ServerVersion", driver = "Driver", cgroupVersion = "CgroupVersion"
        case cgroupDriver = "CgroupDriver", ncpu = "NCPU", memTotal = "MemTotal"
        case operatingSystem = "OperatingSystem", kernelVersion = "KernelVersion"
        case containers = "Containers", images = "Images", dockerRootDir = "DockerRootDir"
    }
}

public struct EngineVersion: Decodable, Sendable {
    public let version: String
    public let apiVersion: String
    public let minAPIVersion: String?
    public let os: String?
    public let arch: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version", apiVersion = "ApiVersion", minAPIVersion = "MinAPIVersion", os = "Os", arch = "Arch"
    }
}

extension DockerClient {
    /// `GET /_ping`: true when the engine answers OK.
    public func ping() async throws(DockerError) -> Bool {
        let response = try await transport.send(HTTPRequest(method: "GET", path: "/_ping", timeout: .seconds(10)))
        return response.status == 200
    }

    public func info() async throws(DockerError) -> EngineInfo {
        try await decode(EngineInfo.self, "GET", "/info")
    }

    public func version() async throws(DockerError) -> EngineVersion {
        try await decode(EngineVersion.self, "GET", "/version")
    }
}
