import DockerEngine
import Foundation

/// A private Docker engine for tests that stop and restart it: its own dockerd (and the
/// containerd it starts under its exec root), data root, socket and network namespace, so
/// neither the shared engine nor its `docker0` bridge is touched. Paths are kept short for the
/// unix socket's length limit.
final class IsolatedEngine {
    let directory: String
    var socket: String { directory + "/docker.sock" }
    var logPath: String { directory + "/dockerd.log" }
    var dockerHost: String { "unix://" + socket }
    var endpoint: DockerEndpoint { DockerEndpoint(transport: .unixSocket(path: socket)) }
    private var process: Process?

    init() throws {
        directory = "/tmp/fgre-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logPath, contents: nil)
    }

    var isRunning: Bool { process?.isRunning == true }

    /// Starts dockerd (again, on the same data root) and waits until it answers `/_ping`.
    func start() async throws -> DockerClient {
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        let process = Process()
        // `unshare --net` gives the daemon a network namespace of its own: `--bridge=none` would
        // otherwise delete the host's docker0, which the shared engine uses.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--net", "dockerd", "--data-root", directory + "/data", "--exec-root", directory + "/exec",
                             "--pidfile", directory + "/dockerd.pid", "-H", dockerHost, "--storage-driver=overlay2",
                             "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let client = try? await DockerClient.connect(endpoint: endpoint) { return client }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw IsolatedEngineError(message: "the isolated dockerd did not answer at \(socket)", log: lastLog())
    }

    /// Stops dockerd the way a service manager does: SIGTERM (it stops its containers and its
    /// containerd), SIGKILL after 20 s. Returns whether SIGTERM was enough.
    @discardableResult
    func stop() async -> Bool {
        guard let process, process.isRunning else { return true }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        let graceful = !process.isRunning
        if !graceful {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return graceful
    }

    /// Stops the daemon, ends whatever it left running (containerd, shims), unmounts and deletes
    /// its directory.
    func destroy() async {
        await stop()
        for pid in processes(mentioning: directory) { kill(pid, SIGKILL) }
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let ours = mounts.split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
            .filter { $0.hasPrefix(directory + "/") }
        for mount in ours.reversed() {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["-l", mount]
            if (try? umount.run()) != nil { umount.waitUntilExit() }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    func lastLog(lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Processes whose command line names `text` (this engine's containerd and shims).
    private func processes(mentioning text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            return String(decoding: data, as: UTF8.self).contains(text) ? pid : nil
        }
    }
}

struct IsolatedEngineError: Error, CustomStringConvertible {
    let message: String
    let log: String
    var description: String { "\(message); last lines of its log:\n\(log)" }
}
