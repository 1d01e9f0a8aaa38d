import Foundation
import Tasks

/// What Forager runs for a row under a grading mode: the image, the repository root, the log
/// parser, the test command and the whole eval script (`forager tasks show` prints it).
public struct DerivedTask: Sendable, Encodable, Equatable {
    public enum ScriptSource: String, Sendable, Encodable {
        /// The row's own `eval_script`.
        case rowEvalScript = "eval_script"
        /// Forager's script around the row's `test_cmd`.
        case rowTestCommand = "test_cmd"
        /// SWE-bench's harness specification for the row's repository and version.
        case sweBenchSpecs = "swebench_specs"
    }

    public var instanceID: String
    public var grading: GradingMode
    public var image: String
    public var repoRoot: String
    public var logParser: String
    public var testCommand: String?
    public var evalScript: String
    public var scriptSource: ScriptSource

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id", grading, image, repoRoot = "repo_root", logParser = "log_parser"
        case testCommand = "test_cmd", evalScript = "eval_script", scriptSource = "script_source"
    }
}

extension TaskRow {
    /// The row as it runs under `mode`: a classic row takes its test command, eval script and log
    /// parser from SWE-bench's specifications (the parser of `mode`'s release); a row's own keys win.
    public func derived(mode: GradingMode = .standard, specs: SWEBenchSpecs = .bundled) -> DerivedTask {
        let script = EvalScript.make(for: self, testPatchFiles: try? PatchFiles(parsing: testPatch), mode: mode)
        let source: DerivedTask.ScriptSource
        let command: String?
        if let own = evalScript, !own.isEmpty {
            source = .rowEvalScript
            command = testCommand
        } else if let own = testCommand, !own.isEmpty {
            source = .rowTestCommand
            command = own
        } else {
            source = .sweBenchSpecs
            command = SWEBenchEvalScript.testCommand(for: self, specs: specs)
        }
        return DerivedTask(instanceID: instanceID, grading: mode, image: image, repoRoot: repoRoot,
                           logParser: parser(mode: mode, specs: specs), testCommand: command, evalScript: script,
                           scriptSource: source)
    }

    /// The log parser under `mode`: the row's own, else its repository's in `mode`'s release.
    public func parser(mode: GradingMode, specs: SWEBenchSpecs = .bundled) -> String {
        guard !logParserGiven, let parsers = specs.repos[repo]?.logParser else { return logParser }
        return mode == .sweBenchV4 ? parsers.foragerV4 : parsers.forager
    }
}
