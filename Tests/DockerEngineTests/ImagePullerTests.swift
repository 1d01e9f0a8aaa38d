import Foundation
import Testing
import TestSupport
@testable import DockerEngine

@Suite("Official images pulled when missing", .enabled { await dockerTestsEnabled() }, .serialized)
struct ImagePullerTests {
    @Test("an official-named image pushed to a registry on 127.0.0.1 and removed locally is pulled; a missing one is an error naming it and the engine's message")
    func pullsFromLocalRegistry() async throws {
        let client = try await dockerClient()
        let registry = try LocalRegistry.start()
        defer { registry.stop() }
        let suffix = String(UUID().uuidString.prefix(6).lowercased())
        // An official image name under `--registry 127.0.0.1:PORT --image-namespace forager-test`.
        let image = "127.0.0.1:\(registry.port)/forager-test/sweb.eval.x86_64.demo_1776_demo-\(suffix):latest"
        let (name, tag) = ImagePuller.split(image)
        #expect(tag == "latest")

        let rootfs = TestScratch.url.appendingPathComponent("forager-rootfs-\(suffix).tar")
        try TarWriter.archive([.directory("etc"), .file("etc/marker", "official \(suffix)\n")]).write(to: rootfs)
        defer { try? FileManager.default.removeItem(at: rootfs) }
        _ = try await client.importImage(rootfsTar: rootfs.path, repository: name, tag: tag, changes: ["LABEL forager.test=1"])
        try await client.pushImage(name, tag: tag)
        try await client.removeImage(image, force: true)
        #expect(try await client.inspectImage(image) == nil)

        let lines = LockedLines()
        let config = TestScratch.url.appendingPathComponent("forager-docker-config-\(suffix).json")
        let auth = Data("user:secret".utf8).base64EncodedString()
        try #"{"auths":{"127.0.0.1:\#(registry.port)":{"auth":"\#(auth)"}}}"#.write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }
        let puller = ImagePuller(client: client, workers: 2, configPath: config.path)
        try await puller.ensure([image, image]) { lines.append($0) }
        #expect(try await client.inspectImage(image)?.config?.labels?["forager.test"] == "1")
        #expect(lines.all.contains("pulling \(image)"))
        #expect(lines.all.contains { $0.hasPrefix("pulled \(image) in ") })

        let credentials = RegistryCredentials(configPath: config.path).auth(for: image)
        #expect(credentials.username == "user" && credentials.password == "secret")
        #expect(RegistryCredentials(configPath: config.path).auth(for: "swebench/sweb.eval.x86_64.a:latest").username == nil)

        // Already present: nothing pulled.
        let again = LockedLines()
        try await puller.ensure([image]) { again.append($0) }
        #expect(again.all.isEmpty)

        let missing = "127.0.0.1:\(registry.port)/forager-test/sweb.eval.x86_64.demo_1776_demo-\(suffix)-missing:latest"
        do {
            try await puller.ensure([missing])
            Issue.record("pulled an image the registry does not hold")
        } catch {
            #expect(error.failures.keys.contains(missing))
            #expect(error.description.contains(missing))
            #expect(error.description.contains("not found") || error.description.contains("unknown"), "\(error)")
        }
        try await client.removeImage(image, force: true)
    }
}

final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
