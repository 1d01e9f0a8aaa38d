import Dispatch
import DockerEngine
import Foundation
import Sandbox

/// Ctrl-C (SIGINT) and SIGTERM remove every container and volume this process owns before it
/// exits, whatever the process was doing (a blocking read of standard input included). A second
/// signal exits at once; `forager gc` then finds what is left.
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

    private static func handle(_ sig: Int32) {
        if interrupted { exit(128 + sig) }
        interrupted = true
        FileHandle.standardError.write(Data("\nforager: interrupted; removing this run's containers\n".utf8))
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await removeOwnedObjects()
            done.signal()
        }
        _ = done.wait(timeout: .now() + 20)
        exit(128 + sig)
    }

    private static func removeOwnedObjects() async {
        guard let client = try? await DockerClient.connect() else { return }
        let owner = "\(SandboxConfig.Label.owner)=\(SandboxConfig.currentOwner)"
        for c in (try? await client.listContainers(all: true, labels: [owner])) ?? [] {
            try? await client.removeContainer(c.id, force: true, volumes: true)
        }
        for v in (try? await client.listVolumes(labels: [owner])) ?? [] {
            try? await client.removeVolume(v.name)
        }
    }
}
