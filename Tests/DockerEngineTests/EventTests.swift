import Foundation
import Testing
import TestSupport
@testable import DockerEngine

@Suite("Events", .enabled { await dockerTestsEnabled() })
struct EventTests {
    @Test("create, start, die and destroy of a labelled container appear in the event stream")
    func containerEvents() async throws {
        let client = try await dockerClient()
        let mark = String(UUID().uuidString.prefix(8))
        let labels = testLabels.merging(["forager.events": mark]) { a, _ in a }
        var id = ""
        let actions = try await recordEvents(client, filters: ["type": ["container"], "label": ["forager.events=\(mark)"]], stopAt: "destroy") {
            id = try await client.runContainer(ContainerSpec(image: baseImage, cmd: ["true"], labels: labels))
            _ = try await client.waitContainer(id, timeout: .seconds(30))
            try await client.removeContainer(id)
        }
        #expect(actions == ["create", "start", "die", "destroy"])
        #expect(!id.isEmpty)
    }
}
