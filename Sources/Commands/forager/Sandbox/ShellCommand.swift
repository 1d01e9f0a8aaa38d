import ArgumentParser
import DockerEngine
import Foundation
import Sandbox

struct ShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Open the agent's persistent shell in a fresh sandbox and type commands into it.",
        discussion: """
            Each line read from standard input is one command, run exactly as the agent's bash tool \
            runs it; its output is printed as the agent would see it, and a failure prints CWM's \
            message kind. The sandbox is removed at end of input.
            """
    )

    @Option(help: "The image to start.")
    var image = "forager/base:bookworm"

    @Option(help: "The repository root the session starts in.")
    var repoRoot = "/"

    @Flag(help: "Scrub the git history at the repository root first, as an episode does.")
    var scrub = false

    @OptionGroup var sandbox: SandboxOptions

    func run() async throws {
        let client = try await DockerClient.connect()
        let config = try sandbox.config(image: image, repoRoot: repoRoot, runID: "shell-\(ProcessInfo.processInfo.processIdentifier)", role: .agent)
        let interactive = isatty(STDIN_FILENO) == 1
        try await Sandbox.with(client: client, config: config, shell: sandbox.shellOptions) { (box: Sandbox) async throws in
            Output.progress("sandbox \(box.containerID.prefix(12)) from \(image); end with Ctrl-D\n")
            if scrub {
                let report = try await box.scrubGitHistory()
                Output.progress("scrubbed git history: HEAD \(report.head.prefix(12)), \(report.reachableCommits) commits reachable\n")
            }
            while true {
                if interactive { Output.progress("$ ") }
                guard let line = readLine(strippingNewline: true) else { break }
                switch try await box.shell.run(line) {
                case .success(let output, _):
                    FileHandle.standardOutput.write(output)
                case .failure(let kind, _):
                    FileHandle.standardOutput.write(Data("[session \(kind.rawValue): a fresh shell starts with the next command]\n".utf8))
                }
            }
        }
    }
}
