import ArgumentParser
import Foundation
import Grading
import Tasks

struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Inspect task rows.",
        subcommands: [TasksShowCommand.self]
    )
}

struct TasksShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print what Forager derives for a row: image, repository root, log parser, test command, eval script.",
        discussion: """
            A classic SWE-bench row (no test_cmd, no eval_script) takes them from SWE-bench's harness \
            specifications for its repository and version; the eval script is the one the chosen release \
            (--grading) builds, byte for byte.
            """
    )

    @Option(help: "Task rows: SWE-bench JSONL, a JSON list, or a JSON dict keyed by instance id.")
    var tasks: String

    @Option(name: .customLong("instance-id"), help: "The row to show.")
    var instanceID: String

    @Option(help: "Grading mode: swebench-v4, swebench-v5 or cwm.")
    var grading: GradingMode = .standard

    @OptionGroup var images: OfficialImageOptions

    @Flag(help: "Print as JSON.")
    var json = false

    func run() async throws {
        let rows = images.apply(try TaskLoader.load(tasks))
        guard let row = rows.first(where: { $0.instanceID == instanceID }) else {
            throw CommandFailure("Not in \(tasks): \(instanceID)")
        }
        let derived = row.derived(mode: grading)
        if json {
            try Output.json(derived)
            return
        }
        print(Output.table([
            ["instance", derived.instanceID],
            ["grading", derived.grading.rawValue],
            ["image", derived.image],
            ["repo root", derived.repoRoot],
            ["log parser", derived.logParser],
            ["test command", derived.testCommand ?? "(in the eval script)"],
            ["script from", derived.scriptSource.rawValue],
        ]))
        print("eval script:")
        print(derived.evalScript, terminator: derived.evalScript.hasSuffix("\n") ? "" : "\n")
    }
}
