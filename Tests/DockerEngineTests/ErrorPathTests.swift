import Foundation
import Testing
import TestSupport
@testable import DockerEngine

@Suite("Error paths", .enabled { await dockerTestsEnabled() })
struct ErrorPathTests {
    @Test("404: no such container, image or exec")
    func notFound() async throws {
        let client = try await dockerClient()
        let missingContainer = await captureError { try await client.inspectContainer("forager-no-such-container") }
        #expect(missingContainer == .notFound("No such container: forager-no-such-container"))
        let missingImage = await captureError { try await client.createContainer(ContainerSpec(image: "forager/no-such-image:1")) }
        #expect(missingImage?.message.contains("No such image") == true)
        if case .notFound = missingImage {} else { Issue.record("expected .notFound, got \(String(describing: missingImage))") }
        #expect(try await client.inspectImage("forager/no-such-image:1") == nil)
        let missingExec = await captureError { try await client.inspectExec("deadbeef") }
        if case .notFound = missingExec {} else { Issue.record("expected .notFound, got \(String(describing: missingExec))") }
    }

    @Test("409: a name already in use, removing a running container without force")
    func conflict() async throws {
        let client = try await dockerClient()
        let name = "forager-test-conflict-\(UUID().uuidString.prefix(8))"
        try await withContainer(client) { _ in
            let id = try await client.createContainer(ContainerSpec(image: baseImage, cmd: ["sleep", "infinity"], labels: testLabels), name: name)
            defer { Task { try? await client.removeContainer(id) } }
            let taken = await captureError { try await client.createContainer(ContainerSpec(image: baseImage, labels: testLabels), name: name) }
            guard case .conflict(let message) = taken else { Issue.record("expected .conflict, got \(String(describing: taken))"); return }
            #expect(message.contains("already in use"))
            try await client.startContainer(id)
            let running = await captureError { try await client.removeContainer(id, force: false) }
            guard case .conflict(let runningMessage) = running else { Issue.record("expected .conflict, got \(String(describing: running))"); return }
            #expect(runningMessage.contains("running container"))
            try await client.removeContainer(id)
        }
    }

    @Test("400: a memory limit below the engine's minimum")
    func badRequest() async throws {
        let client = try await dockerClient()
        let error = await captureError {
            try await client.createContainer(ContainerSpec(image: baseImage, labels: testLabels, hostConfig: HostConfig(memory: 1000)))
        }
        guard case .badRequest(let message) = error else { Issue.record("expected .badRequest, got \(String(describing: error))"); return }
        #expect(message.contains("Minimum memory limit"))
    }

    @Test("a malformed JSON body gets the engine's error, and an undecodable answer is .decoding")
    func badJSON() async throws {
        let client = try await dockerClient()
        let (status, body) = try await client.rawRequest(method: "POST", path: "/containers/create", body: Data(#"{"Image":"#.utf8))
        #expect(status >= 400)
        #expect(errorMessage(body).contains("unexpected EOF"))
        #expect(throws: DockerError.self) { try decodeJSON(ContainerInspect.self, Data("{\"Id\": 3}".utf8), what: "test") }
    }

    @Test("no engine at the endpoint is a transport error that says what to do")
    func noEngine() async throws {
        let endpoint = try DockerEndpoint.parse("unix:///tmp/forager-no-engine-here.sock")
        let error = await captureError { try await DockerClient.connect(endpoint: endpoint) }
        guard case .transport(let message) = error else { Issue.record("expected .transport, got \(String(describing: error))"); return }
        #expect(message.contains("Scripts/setup"))
    }
}

@Suite("Endpoint")
struct EndpointTests {
    @Test("DOCKER_HOST forms: unix, tcp with and without port, TLS from the environment, bad values")
    func parsing() throws {
        #expect(try DockerEndpoint.fromEnvironment([:]).transport == .unixSocket(path: "/var/run/docker.sock"))
        #expect(try DockerEndpoint.parse("unix:///run/x.sock").transport == .unixSocket(path: "/run/x.sock"))
        #expect(try DockerEndpoint.parse("tcp://10.0.0.5:2376").transport == .tcp(host: "10.0.0.5", port: 2376))
        #expect(try DockerEndpoint.parse("tcp://dockerhost").transport == .tcp(host: "dockerhost", port: 2375))
        let tls = try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://h:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/certs"])
        #expect(tls.tls == DockerEndpoint.TLS(caFile: "/certs/ca.pem", certFile: "/certs/cert.pem", keyFile: "/certs/key.pem", verify: true))
        #expect(tls.baseURL == "https://h:2376")
        #expect(throws: DockerError.self) { try DockerEndpoint.parse("ssh://host") }
        #expect(throws: DockerError.self) { try DockerEndpoint.parse("tcp://h:99999") }
        #expect(throws: DockerError.self) { try DockerEndpoint.parse("unix://relative.sock") }
    }
}

@Suite("Stream demuxer")
struct DemuxerTests {
    @Test("frames split at every byte boundary come out whole and in order")
    func splitFrames() {
        func frame(_ type: UInt8, _ text: String) -> Data {
            let p = Data(text.utf8)
            return Data([type, 0, 0, 0, UInt8(p.count >> 24 & 0xff), UInt8(p.count >> 16 & 0xff), UInt8(p.count >> 8 & 0xff), UInt8(p.count & 0xff)]) + p
        }
        let stream = frame(1, "out1\n") + frame(2, "err\n") + frame(1, "") + frame(1, String(repeating: "x", count: 300))
        for cut in 0...stream.count {
            var demux = StreamDemuxer()
            let frames = demux.push(stream.prefix(cut)) + demux.push(stream.dropFirst(cut))
            #expect(frames.map(\.stream) == [.stdout, .stderr, .stdout, .stdout])
            #expect(frames.map { String(decoding: $0.payload, as: UTF8.self) } == ["out1\n", "err\n", "", String(repeating: "x", count: 300)])
            #expect(demux.pendingByteCount == 0)
        }
    }
}

/// The DockerError an operation throws, or nil when it succeeds.
func captureError<T>(_ body: () async throws -> T) async -> DockerError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error as? DockerError ?? .transport("not a DockerError: \(error)")
    }
}
