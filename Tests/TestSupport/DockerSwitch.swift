import DockerEngine
import Foundation

/// Whether Docker tests run. With `FORAGER_REQUIRE_DOCKER=1` (CI, Scripts/setup) they always
/// run, so a missing engine fails them; otherwise they are skipped when no engine answers.
public enum DockerSwitch {
    /// `FORAGER_REQUIRE_DOCKER=1`: Docker tests must run and fail without an engine.
    public static var required: Bool { ProcessInfo.processInfo.environment["FORAGER_REQUIRE_DOCKER"] == "1" }

    /// Whether an engine answers a ping on the configured socket.
    public static func engineAnswers() async -> Bool {
        guard let client = try? await DockerClient.connect() else { return false }
        return (try? await client.ping()) ?? false
    }

    /// Required, or an engine answers.
    public static func enabled() async -> Bool {
        if required { return true }
        return await engineAnswers()
    }

    /// One client for the whole test process, connected once. Nil when no engine answers and
    /// Docker is not required; with `FORAGER_REQUIRE_DOCKER=1` a failed connection is an error.
    public static func sharedClient() async throws -> DockerClient? {
        try await connection.value
    }

    private static let connection = Task<DockerClient?, any Error> {
        do {
            return try await DockerClient.connect()
        } catch {
            if required { throw TestFailure(description: "FORAGER_REQUIRE_DOCKER=1 but no Docker engine: \(error)") }
            return nil
        }
    }
}

/// The Docker switch as a suite trait's condition: `.enabled { await dockerTestsEnabled() }`.
public let dockerTestsEnabled: @Sendable () async -> Bool = { await DockerSwitch.enabled() }
