import Foundation
import ArgumentParser

@main
struct Forager: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forager",
        abstract: "Run coding agents in Docker sandboxes and turn what they do into data.",
        subcommands: [EngineCommand.self, ImagesCommand.self, TasksCommand.self, ShellCommand.self, RunCommand.self, ForageCommand.self, EvalCommand.self, ModelCommand.self, ServeCommand.self, VoteCommand.self, ExportCommand.self, ShowCommand.self, TraceCommand.self, ReplayCommand.self, ViewCommand.self, GCCommand.self, BenchCommand.self, EnvCommand.self]
    )

    static func main() async {
        InterruptCleanup.install()
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)  // a parse error: the message and the command's usage
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var syncCommand = command
                try syncCommand.run()
            }
        } catch {
            // Help requests (`forager help X` runs a command that throws them), validation errors
            // and exit codes belong to the argument parser, which prints them with usage; a failure
            // of Forager's own prints its message alone (it names the input).
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
