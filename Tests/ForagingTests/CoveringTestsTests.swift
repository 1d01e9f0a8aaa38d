import Foraging
import Testing

/// Which test files a mutation's validation runs, from a trace's map of functions to test files,
/// and the narrowed command that names them.
@Suite struct CoveringTestsTests {
    static let trace = TraceResult(
        exitCode: 0, passed: 5, failed: 0,
        functions: [
            .init(file: "pkg/core.py", line: 3, qualname: "add", tests: 2, testFiles: [0]),
            // Decorated: the code starts at the decorator's line, above the `def` the helper names.
            .init(file: "pkg/core.py", line: 10, qualname: "Box.size", tests: 1, testFiles: [1]),
            .init(file: "pkg/core.py", line: 20, qualname: "size", tests: 1, testFiles: [2]),
            .init(file: "pkg/other.py", line: 1, qualname: "helper", tests: 3, testFiles: [0, 1, 2]),
        ],
        testFiles: [.init(id: "tests/test_add.py", path: "tests/test_add.py"),
                    .init(id: "tests/test_box.py", path: "tests/test_box.py"),
                    .init(id: "tests/test_size.py", path: "tests/test_size.py")],
        positional: ["tests"])

    func mutation(_ file: String, _ function: String, line: Int, _ op: MutationOperator = .opChangeBinary) -> Mutation {
        Mutation(file: file, function: function, functionLine: line, operator: op, family: op.family, note: "",
                 edits: [], mutatedFNV1a64: "", mutatedBytes: 0)
    }

    @Test func aFunctionsOwnTestFilesReplaceTheCommandsPaths() throws {
        let covering = CoveringTests(trace: Self.trace, testCommand: "python -m pytest -rA -p no:cacheprovider tests")
        let add = try #require(covering.selection(for: mutation("pkg/core.py", "add", line: 3)))
        #expect(add.command == "python -m pytest -rA -p no:cacheprovider tests/test_add.py")
        #expect(add.fileIDs == ["tests/test_add.py"])
        // `def size` at line 12 under a decorator at 10 is Box.size, not the module's size at 20.
        let box = try #require(covering.selection(for: mutation("pkg/core.py", "Box.size", line: 12)))
        #expect(box.fileIDs == ["tests/test_box.py"])
        // Before Python 3.11 code is named by its bare name.
        let bare = try #require(covering.selection(for: mutation("pkg/core.py", "size", line: 21)))
        #expect(bare.fileIDs == ["tests/test_size.py"])
    }

    @Test func aRemovedImportRunsTheFilesOfEveryFunctionOfItsModule() throws {
        let covering = CoveringTests(trace: Self.trace, testCommand: "pytest -rA tests")
        let selection = try #require(covering.selection(for: mutation("pkg/core.py", "add", line: 3, .stmtRmImport)))
        #expect(selection.command == "pytest -rA tests/test_add.py tests/test_box.py tests/test_size.py")
    }

    @Test func withoutAPlainCommandOrATracedFunctionTheWholeSuiteRuns() {
        let m = mutation("pkg/core.py", "add", line: 3)
        // Not traced: nothing is known to see the change.
        #expect(CoveringTests(trace: Self.trace, testCommand: "pytest tests").selection(for: mutation("pkg/new.py", "f", line: 1)) == nil)
        // The traced path is not a word of the command (it came from addopts): narrowing would still collect it.
        #expect(CoveringTests(trace: Self.trace, testCommand: "pytest -rA").selection(for: m) == nil)
        // Shell syntax, or something other than pytest.
        #expect(CoveringTests(trace: Self.trace, testCommand: "pytest -rA tests | tee log").selection(for: m) == nil)
        #expect(CoveringTests(trace: Self.trace, testCommand: "tox -e py tests").selection(for: m) == nil)
        // A test file whose name needs quoting.
        var spaced = Self.trace
        spaced.testFiles[0].path = "tests/test add.py"
        #expect(CoveringTests(trace: spaced, testCommand: "pytest tests").selection(for: m) == nil)
    }

    @Test func anOptionsValueThatLooksLikeThePathIsKept() throws {
        // The last word equal to the positional path is the path; `-k tests` keeps its value.
        let covering = CoveringTests(trace: Self.trace, testCommand: "pytest -k tests tests")
        let selection = try #require(covering.selection(for: mutation("pkg/core.py", "add", line: 3)))
        #expect(selection.command == "pytest -k tests tests/test_add.py")
        #expect(CoveringTests.fileID(of: "tests/test_add.py::test_add[a::b]") == "tests/test_add.py")
        #expect(CoveringTests.fileID(of: "tests/test_add.py") == "tests/test_add.py")
    }
}
