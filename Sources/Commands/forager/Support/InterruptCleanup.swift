import Dispatch
import DockerEngine
import Foundation
import Sandbox

/// Ctrl-C (SIGINT) and SIGTERM remove every container and volume this process owns before it
/// exits, whatever the process was doing (a blocking read of standard input included). First the
/// `ShutdownGate` closes: nothing new is created (no new attempt, no new grading container) and
/// what finishes afterwards is recorded as interrupted, not as a result. A second signal exits at
/// once; `forager gc` then finds what is left.
enum InterruptCleanup {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    private static let queue = DispatchQueue(label: "forager.signals")

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { handle(sig) }
            source.resume()
            sources.append(source)
        }
    }

    nonisolated(unsafe) private static var interrupted = false

    /// After a signal, a command whose work ended (its episodes stopped when the cleanup removed
    /// their containers) must not exit 0 before the cleanup is done: it waits here for the
    /// handler's exit (128 + signal).
    static func waitIfInterrupted() async {
        while ShutdownGate.isClosed { try? await Task.sleep(for: .seconds(1)) }
    }

    private static func handle(_ sig: Int32) {
        if interrupted { exit(128 + sig) }
        interrupted = true
        FileHandle.standardError.write(Data("\nforager: interrupted; removing this run's containers\n".utf8))
        ShutdownGate.close(waitingUpTo: .seconds(10))
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await removeOwnedObjects()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 20)
        exit(128 + sig)
    }

    /// Removes until a listing comes back empty (a container whose removal is already under way
    /// answers 409 and is listed again), for at most a few rounds.
    private static func removeOwnedObjects() async {
        guard let client = try? await DockerClient.connect() else { return }
        let owner = "\(SandboxConfig.Label.owner)=\(SandboxConfig.currentOwner)"
        for round in 0..<10 {
            // On a swarm manager, the run's services too: their nodes then remove the containers.
            let services = (try? await client.listServices(labels: [owner])) ?? []
            let containers = (try? await client.listContainers(all: true, labels: [owner])) ?? []
            let volumes = (try? await client.listVolumes(labels: [owner])) ?? []
            if services.isEmpty && containers.isEmpty && volumes.isEmpty { return }
            if round > 0 { try? await Task.sleep(for: .milliseconds(300)) }
            for s in services { try? await client.removeService(s.id) }
            for c in containers { try? await client.removeContainer(c.id, force: true, volumes: true) }
            for v in volumes { try? await client.removeVolume(v.name) }
        }
    }
}
