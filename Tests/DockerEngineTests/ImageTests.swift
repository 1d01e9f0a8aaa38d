import Foundation
import Testing
import TestSupport
@testable import DockerEngine

/// A tiny root filesystem (one file plus busybox-free contents) for fast image tests.
func tinyRootfs(_ marker: String) throws -> Data {
    try TarWriter.archive([.directory("etc"), .file("etc/marker", marker + "\n")])
}

func writeTemp(_ data: Data, _ suffix: String = ".tar") throws -> String {
    let path = TestScratch.url.appendingPathComponent("forager-test-\(UUID().uuidString)\(suffix)").path
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

@Suite("Images", .enabled { await dockerTestsEnabled() })
struct ImageTests {
    @Test("a failing RUN step is an error carrying the engine's message")
    func buildFailure() async throws {
        let client = try await dockerClient()
        let context = try TarWriter.archive([.file("Dockerfile", "FROM \(baseImage)\nRUN echo building && exit 3\n")])
        let lines = LockedBox<[String]>([])
        let error = await captureError {
            try await client.buildImage(context: context, options: BuildOptions(tags: ["forager/test-build-fails:1"])) { line in
                lines.withLock { $0.append(line) }
            }
        }
        guard case .streamFailed(let operation, let message) = error else { Issue.record("expected .streamFailed, got \(String(describing: error))"); return }
        #expect(operation == "build")
        #expect(message.contains("returned a non-zero code: 3"))
        #expect(lines.withLock { $0.joined() }.contains("building"))
    }

    @Test("a build with labels and a COPY produces a usable, labelled image")
    func buildSuccess() async throws {
        let client = try await dockerClient()
        let tag = "forager/test-build-ok:\(UUID().uuidString.prefix(8).lowercased())"
        let context = try TarWriter.archive([
            .file("Dockerfile", "FROM \(baseImage)\nCOPY hello.txt /opt/hello.txt\nARG WHO\nRUN echo \"built for $WHO\" > /opt/who\n"),
            .file("hello.txt", "hello from the context\n"),
        ])
        let id = try await client.buildImage(context: context, options: BuildOptions(
            tags: [tag], labels: ["forager.test": "1"], buildArgs: ["WHO": "forager"]))
        #expect(id.hasPrefix("sha256:"))
        let inspect = try #require(try await client.inspectImage(tag))
        #expect(inspect.config?.labels?["forager.test"] == "1")
        try await withContainer(client, spec: ContainerSpec(image: tag, cmd: ["sleep", "infinity"])) { cid in
            let out = try await client.exec(container: cid, ["cat", "/opt/hello.txt", "/opt/who"])
            #expect(out.output.stdoutText == "hello from the context\nbuilt for forager\n")
        }
        #expect(try await client.listImages(labels: ["forager.test=1"]).contains { $0.repoTags?.contains(tag) == true })
        try await client.removeImage(tag, force: true)
        #expect(try await client.inspectImage(tag) == nil)
    }

    @Test("import a root filesystem, commit a container, save and load images")
    func importCommitSaveLoad() async throws {
        let client = try await dockerClient()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let rootfs = try writeTemp(try tinyRootfs("imported"))
        defer { try? FileManager.default.removeItem(atPath: rootfs) }
        try await client.importImage(rootfsTar: rootfs, repository: "forager/test-import", tag: String(suffix),
                                     changes: ["LABEL forager.test=1", "ENV IMPORTED=yes"])
        let imported = try #require(try await client.inspectImage("forager/test-import:\(suffix)"))
        #expect(imported.config?.env?.contains("IMPORTED=yes") == true)
        #expect(imported.config?.labels?["forager.test"] == "1")

        let snapshot = "forager/test-commit"
        try await withContainer(client) { cid in
            _ = try await client.exec(container: cid, ["sh", "-c", "echo state1 > /srv/state"])
            try await client.commitContainer(cid, repository: snapshot, tag: String(suffix), comment: "test", labels: ["forager.test": "1"])
        }
        try await withContainer(client, spec: ContainerSpec(image: "\(snapshot):\(suffix)", cmd: ["sleep", "infinity"])) { cid in
            let state = try await client.exec(container: cid, ["cat", "/srv/state"])
            #expect(state.output.stdoutText == "state1\n")
        }

        let saved = TestScratch.url.appendingPathComponent("forager-save-\(suffix).tar").path
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try await client.saveImages(["forager/test-import:\(suffix)"], to: saved)
        try await client.removeImage("forager/test-import:\(suffix)", force: true)
        #expect(try await client.inspectImage("forager/test-import:\(suffix)") == nil)
        let loaded = try await client.loadImages(from: saved)
        #expect(loaded.contains { $0.contains("forager/test-import:\(suffix)") })
        #expect(try await client.inspectImage("forager/test-import:\(suffix)") != nil)

        let garbage = try writeTemp(Data("this is not a tar archive".utf8))
        defer { try? FileManager.default.removeItem(atPath: garbage) }
        await #expect(throws: DockerError.self) { try await client.loadImages(from: garbage) }

        try await client.removeImage("forager/test-import:\(suffix)", force: true)
        try await client.removeImage("\(snapshot):\(suffix)", force: true)
    }

    @Test("push to and pull from a docker-registry on 127.0.0.1")
    func pushAndPull() async throws {
        let client = try await dockerClient()
        let registry = try LocalRegistry.start()
        defer { registry.stop() }
        let suffix = String(UUID().uuidString.prefix(8).lowercased())
        let local = "forager/test-push"
        let remote = "127.0.0.1:\(registry.port)/forager/test-push"
        let rootfs = try writeTemp(try tinyRootfs("pushed-\(suffix)"))
        defer { try? FileManager.default.removeItem(atPath: rootfs) }
        try await client.importImage(rootfsTar: rootfs, repository: local, tag: suffix, changes: ["LABEL forager.test=1"])
        try await client.tagImage("\(local):\(suffix)", repository: remote, tag: suffix)
        let digest = try await client.pushImage(remote, tag: suffix)
        #expect(digest?.hasPrefix("sha256:") == true)

        try await client.removeImage("\(remote):\(suffix)", force: true)
        try await client.removeImage("\(local):\(suffix)", force: true)
        #expect(try await client.inspectImage("\(remote):\(suffix)") == nil)

        try await client.pullImage(remote, tag: suffix)
        let pulled = try #require(try await client.inspectImage("\(remote):\(suffix)"))
        #expect(pulled.config?.labels?["forager.test"] == "1")

        do {
            try await client.pullImage(remote, tag: "no-such-tag")
            Issue.record("pulled a tag that does not exist")
        } catch {
            #expect("\(error)".contains("not found") || "\(error)".contains("unknown"))
        }
        try await client.removeImage("\(remote):\(suffix)", force: true)
    }
}
