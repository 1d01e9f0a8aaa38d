/// Which tests a mutate-fix validation runs (`forager forage --tests`).
public enum TestScope: String, Codable, Sendable, CaseIterable {
    /// The test files whose passing tests executed the mutated function (traced); for a removed
    /// module-level import, those of every function of its file. A test that never runs the code
    /// cannot see the change, so the row is graded on these files, as SWE-bench runs the files of
    /// its test patch.
    case covering
    /// The whole suite in every validation (SWE-smith's way): hours for a suite of minutes.
    case all
}

/// The trace's map from functions to the test files that executed them, and the narrowed test
/// command that runs only those files.
public struct CoveringTests: Sendable {
    public struct Selection: Sendable, Equatable {
        /// The test command with its own paths replaced by the covering files.
        public var command: String
        public var files: [TraceResult.TestFile]
        /// The tests' ids' file parts (`tests/test_x.py` of `tests/test_x.py::test_y`).
        public var fileIDs: Set<String>
    }

    let trace: TraceResult
    let testCommand: String

    public init(trace: TraceResult, testCommand: String) {
        self.trace = trace
        self.testCommand = testCommand
    }

    /// Nil means the whole suite: no traced function matches the mutation, or the command cannot
    /// be narrowed (not plain pytest, its paths not on the command line, a path needing quotes).
    public func selection(for mutation: Mutation) -> Selection? {
        let sameFile = trace.functions.filter { $0.file == mutation.file }
        let chosen: [TraceResult.Function]
        if mutation.operator == .stmtRmImport {
            // A module-level import is used by any function of the file.
            chosen = sameFile
        } else {
            chosen = Self.function(of: mutation, among: sameFile).map { [$0] } ?? []
        }
        let indices = Set(chosen.flatMap(\.testFiles)).sorted()
        guard !indices.isEmpty, indices.allSatisfy({ trace.testFiles.indices.contains($0) }) else { return nil }
        let files = indices.map { trace.testFiles[$0] }
        guard let command = Self.command(testCommand, positional: trace.positional, paths: files.map(\.path)) else { return nil }
        return Selection(command: command, files: files, fileIDs: Set(files.map(\.id)))
    }

    /// The traced function a mutation changes: same file, same (last) name, and the nearest first
    /// line at or above the `def` (a decorated function's code starts at its first decorator;
    /// Pythons before 3.11 name code by its bare name, not its qualified name).
    static func function(of mutation: Mutation, among functions: [TraceResult.Function]) -> TraceResult.Function? {
        let name = Self.lastComponent(mutation.function)
        return functions
            .filter { $0.line <= mutation.functionLine && Self.lastComponent($0.qualname) == name }
            .max { $0.line < $1.line }
    }

    static func lastComponent(_ qualname: String) -> Substring {
        qualname.split(separator: ".").last ?? Substring(qualname)
    }

    /// `testCommand` with the positional paths pytest saw removed and `paths` appended; nil when it
    /// cannot be done without a shell's quoting or the paths are not the command's own words.
    static func command(_ testCommand: String, positional: [String], paths: [String]) -> String? {
        guard case .success(var arguments) = PytestCommand.arguments(testCommand) else { return nil }
        let words = testCommand.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let launcher = words.prefix(words.count - arguments.count)
        for path in positional {
            guard let at = arguments.lastIndex(where: { $0 == path && !$0.hasPrefix("-") }) else { return nil }
            arguments.remove(at: at)
        }
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+")
        guard !paths.isEmpty, paths.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && $0.allSatisfy(plain.contains) }) else {
            return nil
        }
        return (launcher + arguments + paths).joined(separator: " ")
    }

    /// The file part of a pytest test id.
    public static func fileID(of testID: String) -> Substring {
        guard let separator = testID.range(of: "::") else { return Substring(testID) }
        return testID[..<separator.lowerBound]
    }
}
