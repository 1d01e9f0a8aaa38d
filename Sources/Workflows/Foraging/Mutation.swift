/// One text edit the helper found: replace the bytes between (line, col) and (endLine, endCol)
/// with `text`. Lines count from 1; columns are UTF-8 byte offsets in the line (as Python's `ast`
/// gives them); `start`/`end` are the same positions as absolute byte offsets, for a cross-check.
public struct SourceEdit: Codable, Sendable, Equatable, Hashable {
    public var line: Int
    public var col: Int
    public var endLine: Int
    public var endCol: Int
    public var start: Int
    public var end: Int
    public var text: String

    public init(line: Int, col: Int, endLine: Int, endCol: Int, start: Int, end: Int, text: String) {
        self.line = line
        self.col = col
        self.endLine = endLine
        self.endCol = endCol
        self.start = start
        self.end = end
        self.text = text
    }

    enum CodingKeys: String, CodingKey {
        case line, col, endLine = "end_line", endCol = "end_col", start, end, text
    }
}

/// A mutation of one function: its operator, the edits, and a digest of the file it yields.
public struct Mutation: Codable, Sendable, Equatable {
    public var file: String
    public var function: String
    public var functionLine: Int
    public var `operator`: MutationOperator
    public var family: MutationFamily
    public var note: String
    public var edits: [SourceEdit]
    /// FNV-1a 64 of the mutated file's bytes, as the helper computed it (Swift checks its own).
    public var mutatedFNV1a64: String
    public var mutatedBytes: Int

    public init(file: String, function: String, functionLine: Int, operator: MutationOperator, family: MutationFamily,
                note: String, edits: [SourceEdit], mutatedFNV1a64: String, mutatedBytes: Int) {
        self.file = file
        self.function = function
        self.functionLine = functionLine
        self.operator = `operator`
        self.family = family
        self.note = note
        self.edits = edits
        self.mutatedFNV1a64 = mutatedFNV1a64
        self.mutatedBytes = mutatedBytes
    }

    enum CodingKeys: String, CodingKey {
        case file, function, functionLine = "function_line", `operator`, family, note, edits
        case mutatedFNV1a64 = "mutated_fnv1a64", mutatedBytes = "mutated_bytes"
    }
}

/// The helper's `mutate` output.
public struct MutationList: Codable, Sendable {
    /// The selection, in order (a seeded round robin over the operators).
    public var mutations: [Mutation]
    /// Mutations enumerated per operator (by name) before the selection (not yet checked to parse).
    public var found: [String: Int]
    /// Mutations dropped because the result did not parse, did not change the tree, or did not compile.
    public var dropped: [String: Int]
}

/// The helper's `trace` output: the functions passing tests executed.
public struct TraceResult: Codable, Sendable {
    public struct Function: Codable, Sendable, Hashable {
        public var file: String
        public var line: Int
        public var qualname: String
        /// How many passing tests executed it.
        public var tests: Int
        /// The files of those tests: indices into `TraceResult.testFiles`.
        public var testFiles: [Int]

        enum CodingKeys: String, CodingKey { case file, line, qualname, tests, testFiles = "test_files" }

        public init(file: String, line: Int, qualname: String, tests: Int, testFiles: [Int]) {
            self.file = file
            self.line = line
            self.qualname = qualname
            self.tests = tests
            self.testFiles = testFiles
        }
    }

    /// A file of passing tests: its part of the tests' ids (as the log parser names them) and its
    /// path from the repository root (what a command line names).
    public struct TestFile: Codable, Sendable, Hashable {
        public var id: String
        public var path: String

        public init(id: String, path: String) {
            self.id = id
            self.path = path
        }
    }

    public var exitCode: Int
    public var passed: Int
    public var failed: Int
    public var functions: [Function]
    public var testFiles: [TestFile]
    /// The test command's positional arguments as pytest parsed them (the paths it collects).
    public var positional: [String]

    enum CodingKeys: String, CodingKey {
        case exitCode = "exit_code", passed, failed, functions, testFiles = "test_files", positional
    }

    public init(exitCode: Int, passed: Int, failed: Int, functions: [Function], testFiles: [TestFile], positional: [String]) {
        self.exitCode = exitCode
        self.passed = passed
        self.failed = failed
        self.functions = functions
        self.testFiles = testFiles
        self.positional = positional
    }
}

/// The mutation operators and their families (as ForagerAgent and SWE-smith group them): the one
/// table of them, which the helper's `FAMILIES` repeats in Python (a test checks they agree).
public enum MutationOperator: String, Codable, Sendable, CaseIterable, Comparable {
    case funcRmBody = "func_rm_body", funcRmStmt = "func_rm_stmt"
    case argRmParam = "arg_rm_param", argShuffle = "arg_shuffle"
    case varSwap = "var_swap"
    case stmtRmImport = "stmt_rm_import", stmtRmReturn = "stmt_rm_return"
    case opChangeBinary = "op_change_binary", opChangeUnary = "op_change_unary"
    case opChangeBool = "op_change_bool", opChangeCompare = "op_change_compare"
    case constChange = "const_change"
    case ctrlInvertIf = "ctrl_invert_if"

    public var family: MutationFamily {
        switch self {
        case .funcRmBody, .funcRmStmt: return .functions
        case .argRmParam, .argShuffle: return .arguments
        case .varSwap: return .variables
        case .stmtRmImport, .stmtRmReturn: return .statements
        case .opChangeBinary, .opChangeUnary, .opChangeBool, .opChangeCompare: return .operators
        case .constChange: return .constants
        case .ctrlInvertIf: return .conditions
        }
    }

    /// Every operator, in the order of their names (the order of reports).
    public static var sorted: [MutationOperator] { allCases.sorted() }

    public static func < (a: MutationOperator, b: MutationOperator) -> Bool { a.rawValue < b.rawValue }
}

public enum MutationFamily: String, Codable, Sendable, CaseIterable {
    case functions, arguments, variables, statements, operators, constants, conditions
}
