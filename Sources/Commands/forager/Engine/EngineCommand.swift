import ArgumentParser
import DockerEngine
import Foundation

struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "The Docker engine Forager talks to.",
        subcommands: [EngineInfoCommand.self]
    )
}

struct EngineInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Endpoint, engine and API version, storage driver, cgroup version, and whether it answers."
    )

    @Flag(help: "Print JSON.")
    var json = false

    struct Report: Encodable {
        var endpoint: String
        var answers: Bool
        var error: String?
        var engineVersion: String?
        var apiVersion: String?
        var serverAPIVersion: String?
        var storageDriver: String?
        var cgroupVersion: String?
        var cgroupDriver: String?
        var cpus: Int?
        var memoryBytes: Int64?
        var kernel: String?
        var operatingSystem: String?

        enum CodingKeys: String, CodingKey {
            case endpoint, answers, error, kernel, cpus
            case engineVersion = "engine_version", apiVersion = "api_version", serverAPIVersion = "server_api_version"
            case storageDriver = "storage_driver", cgroupVersion = "cgroup_version", cgroupDriver = "cgroup_driver"
            case memoryBytes = "memory_bytes", operatingSystem = "operating_system"
        }
    }

    func run() async throws {
        let endpoint = try DockerEndpoint.fromEnvironment()
        var report = Report(endpoint: endpoint.description, answers: false)
        do {
            let client = try await DockerClient.connect(endpoint: endpoint)
            let info = try await client.info()
            let version = try await client.version()
            report.answers = true
            report.engineVersion = version.version
            report.apiVersion = client.apiVersion.description
            report.serverAPIVersion = version.apiVersion
            report.storageDriver = info.driver
            report.cgroupVersion = info.cgroupVersion
            report.cgroupDriver = info.cgroupDriver
            report.cpus = info.ncpu
            report.memoryBytes = info.memTotal
            report.kernel = info.kernelVersion
            report.operatingSystem = info.operatingSystem
        } catch {
            report.error = error.description
        }
        if json {
            try Output.json(report)
        } else {
            var rows = [["endpoint", report.endpoint], ["answers", report.answers ? "yes" : "no"]]
            if let e = report.error { rows.append(["error", e]) }
            if report.answers {
                rows += [
                    ["engine", report.engineVersion ?? "?"],
                    ["api version", "\(report.apiVersion ?? "?") (engine supports \(report.serverAPIVersion ?? "?"))"],
                    ["storage driver", report.storageDriver ?? "?"],
                    ["cgroup", "v\(report.cgroupVersion ?? "?") (\(report.cgroupDriver ?? "?"))"],
                    ["cpus / memory", "\(report.cpus ?? 0) / \(Output.megabytes(report.memoryBytes ?? 0))"],
                    ["kernel", report.kernel ?? "?"],
                ]
            }
            print(Output.table(rows))
        }
        if !report.answers { throw ExitCode(1) }
    }
}
