import DockerEngine
import Foundation

/// A private shell in the container for the host-side tools' file access: a second hijacked
/// `bash`, apart from the agent's session (its own environment marker, so the session's kills do
/// not touch it), answering `test -e`/`test -d`, `base64` reads and heredoc writes in about a
/// millisecond each, where an archive request costs tens of milliseconds. Paths resolve as the
/// kernel resolves them, so symlinks are followed and a write keeps the file's inode, mode and owner.
actor FileChannel {
    enum Reply: Sendable {
        case ok(Data)
        case failed(status: Int, output: Data)
    }

    let client: DockerClient
    let containerID: String
    private var stream: DuplexStream?
    private var marker = ""

    init(client: DockerClient, containerID: String) {
        self.client = client
        self.containerID = containerID
    }

    /// Runs a snippet; nil when the channel cannot run (no bash or base64 in the image, the pids
    /// limit exhausted, the container gone): the caller falls back to the archive endpoints.
    func run(_ snippet: String, input: Data? = nil) async -> Reply? {
        if stream == nil { await start() }
        guard let stream else { return nil }
        let nonce = UUID().uuidString
        // A function in the channel's own shell: `return` ends the snippet, and tests made of
        // builtins fork nothing.
        var payload = "__forager_op() {\n\(snippet)\n}\n__forager_op 2>&1"
        if let input {
            payload += " <<'__FORAGER_INPUT_\(nonce)__'\n" + input.base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            payload += (input.isEmpty ? "" : "\n") + "__FORAGER_INPUT_\(nonce)__"
        }
        payload += "\nbuiltin printf '\\036%s %d\\n' '\(nonce)' \"$?\"\n"
        let marker = Data("\u{1e}\(nonce) ".utf8)
        do {
            try await stream.write(Data(payload.utf8))
            var buffer = Data()
            let deadline = ContinuousClock.now + .seconds(60)
            while true {
                guard let frame = try await stream.readFrame(until: deadline) else { throw DockerError.transport("file channel closed") }
                buffer.append(frame.payload)
                if let m = buffer.range(of: marker), let end = buffer[m.upperBound...].firstIndex(of: UInt8(ascii: "\n")) {
                    let status = Int(String(decoding: buffer[m.upperBound..<end], as: UTF8.self)) ?? -1
                    let output = buffer.subdata(in: buffer.startIndex..<m.lowerBound)
                    return status == 0 ? .ok(output) : .failed(status: status, output: output)
                }
            }
        } catch {
            await close()
            return nil
        }
    }

    func close() async {
        guard let stream else { return }
        self.stream = nil
        let client = self.client, id = containerID, marker = self.marker
        await Task.detached {
            stream.close()
            await client.killProcesses(container: id, environmentMarker: marker)
        }.value
    }

    private func start() async {
        marker = DockerClient.newEnvironmentMarker()
        guard let s = try? await client.startDuplexExec(
            container: containerID, ExecSpec(cmd: ["/bin/bash", "--noprofile", "--norc"], env: [marker, "LC_ALL=C"], workingDir: "/"))
        else { return }
        stream = s
        // The channel needs base64 (coreutils); without it every call falls back.
        if case .ok = await run("command -v base64 >/dev/null") {} else { await close() }
    }
}
