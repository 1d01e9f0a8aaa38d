import Foundation
import Testing
import TestSupport
@testable import DockerEngine

/// Labels every container the tests create: `forager gc` removes them once this process is gone.
let testLabels = ["forager.test": "1", "forager.owner": "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"]

/// Connects, failing the test with a message saying what to run when no engine answers.
func dockerClient() async throws -> DockerClient {
    do {
        return try await DockerClient.connect()
    } catch {
        Issue.record("No Docker engine: \(error). Run Scripts/setup first.")
        throw error
    }
}

/// Creates and starts a container from the base image (kept alive by `sleep infinity`), runs
/// `body`, and removes the container whatever happens.
func withContainer<T>(
    _ client: DockerClient, spec: ContainerSpec? = nil, start: Bool = true,
    _ body: (String) async throws -> T
) async throws -> T {
    var spec = spec ?? ContainerSpec(image: baseImage, cmd: ["sleep", "infinity"])
    spec.labels = (spec.labels ?? [:]).merging(testLabels) { a, _ in a }
    if spec.hostConfig?.initProcess == nil {
        var host = spec.hostConfig ?? HostConfig()
        host.initProcess = true
        spec.hostConfig = host
    }
    let id = try await client.createContainer(spec)
    do {
        if start { try await client.startContainer(id) }
        let result = try await body(id)
        try? await client.removeContainer(id)
        return result
    } catch {
        try? await client.removeContainer(id)
        throw error
    }
}

/// Runs a host command and returns its standard output (for cross-checking with real tools).
@discardableResult
func runHost(_ arguments: [String]) throws -> (status: Int32, output: Data) {
    let result = try ChildProcess.run(arguments)
    return (result.status, result.data)
}

/// The actions of the events matching `filters` that happen while `action` runs, up to and
/// including `stopAt`. The subscription is made first: the engine replays only its last 256
/// events, which a parallel test run outpaces, so events must be caught live.
func recordEvents(
    _ client: DockerClient, filters: [String: [String]], stopAt: String, timeout: Duration = .seconds(60),
    during action: () async throws -> Void
) async throws -> [String] {
    let stream = client.events(filters: filters, since: Date())
    let collector = Task { () throws -> [String] in
        var actions: [String] = []
        for try await event in stream {
            guard let a = event.action else { continue }
            actions.append(a)
            if a == stopAt { break }
        }
        return actions
    }
    try await Task.sleep(for: .milliseconds(200))
    try await action()
    let watchdog = Task {
        try await Task.sleep(for: timeout)
        collector.cancel()
    }
    defer { watchdog.cancel() }
    return try await collector.value
}
