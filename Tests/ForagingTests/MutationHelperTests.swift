import Foraging
import Foundation
import Testing

/// The helper's operators on small snippets (host python3), with the edits applied by Swift.
@Suite struct MutationHelperTests {
    static let sample = """
        import math
        from os import path as p, sep

        def area(r, scale=2, *, rounding=3):
            \"\"\"Area of a circle — «r» in métres.\"\"\"
            label = "café ☕"  # non-ASCII before the code on later lines
            a = math.pi * r ** 2
            if r < 0 and scale:
                return -1
            total = round(a * scale, rounding)
            return total if not label else total

        class Box:
            def size(self, w, h):
                x = w + h
                y = w - h
                return x * y

        """

    func mutations(_ op: String) throws -> [(Mutation, String)] {
        let (all, original) = try hostMutations(Self.sample)
        return try all.filter { $0.operator.rawValue == op }.map { ($0, try mutated($0, original)) }
    }

    @Test func everyMutationAppliesInSwiftAsInPython() throws {
        let (all, original) = try hostMutations(Self.sample)
        #expect(all.count > 30)
        for m in all {
            let bytes = try EditApplication.apply(m.edits, to: original, file: m.file)
            #expect(EditApplication.fnv1a64(bytes) == m.mutatedFNV1a64, "\(m.operator.rawValue): \(m.note)")
            #expect(bytes.count == m.mutatedBytes)
            #expect(m.operator.family == m.family)
        }
        // Every operator family occurs on this snippet.
        #expect(Set(all.map(\.operator)) == Set(MutationOperator.allCases))
    }

    @Test func bodyDeletionKeepsTheDocstring() throws {
        let results = try mutations("func_rm_body")
        let area = try #require(results.first { $0.0.function == "area" })
        #expect(area.1.contains("\"\"\"Area of a circle — «r» in métres.\"\"\"\n    pass\n\nclass Box"))
    }

    @Test func statementDeletionRemovesWholeLines() throws {
        let results = try mutations("func_rm_stmt")
        #expect(results.contains { !$0.1.contains("    label = \"café ☕\"") && $0.1.contains("    a = math.pi") })
    }

    @Test func parameterRemovalTakesItsDefaultAndComma() throws {
        let results = try mutations("arg_rm_param").map(\.1)
        #expect(results.contains { $0.contains("def area(r, *, rounding=3):") })
        #expect(results.contains { $0.contains("def area(scale=2, *, rounding=3):") })
        #expect(results.contains { $0.contains("def size(self, h):") })
        #expect(!results.contains { $0.contains("def size(w, h)") })  // self stays
    }

    @Test func callArgumentsSwapAfterNonASCIIText() throws {
        let results = try mutations("arg_shuffle").map(\.1)
        #expect(results.contains { $0.contains("total = round(rounding, a * scale)") })
    }

    @Test func variablesSwapAtEveryUse() throws {
        let results = try mutations("var_swap").map(\.1)
        #expect(results.contains { $0.contains("x = h + w") && $0.contains("y = h - w") })
    }

    @Test func importsAndReturnsAreDeleted() throws {
        let imports = try mutations("stmt_rm_import").map(\.1)
        #expect(imports.contains { !$0.contains("import math") })
        let returns = try mutations("stmt_rm_return").map(\.1)
        #expect(returns.contains { $0.contains("if r < 0 and scale:\n        pass\n") })
        #expect(returns.contains { !$0.contains("return x * y") })
    }

    @Test func operatorsChange() throws {
        #expect(try mutations("op_change_binary").map(\.1).contains { $0.contains("x = w - h") })
        #expect(try mutations("op_change_binary").map(\.1).contains { $0.contains("r * 2") })
        #expect(try mutations("op_change_unary").map(\.1).contains { $0.contains("return 1\n") })
        #expect(try mutations("op_change_bool").map(\.1).contains { $0.contains("if r < 0 or scale:") })
        #expect(try mutations("op_change_compare").map(\.1).contains { $0.contains("if r <= 0 and scale:") })
    }

    @Test func constantsMoveByOne() throws {
        let results = try mutations("const_change").map(\.1)
        #expect(results.contains { $0.contains("r ** 3") })
        #expect(results.contains { $0.contains("r ** 1") })
        #expect(results.contains { $0.contains("scale=3") })
    }

    @Test func conditionsInvert() throws {
        let results = try mutations("ctrl_invert_if").map(\.1)
        #expect(results.contains { $0.contains("if not (r < 0 and scale):") })
        #expect(results.contains { $0.contains("return total if label else total") })
    }

    @Test func resultsThatDoNotParseAreDropped() throws {
        // Removing the only keyword-only parameter leaves a bare `*`: not Python, so not offered.
        let (all, original) = try hostMutations("def f(a, *, b):\n    return a + b\n")
        for m in all { #expect(try !mutated(m, original).contains("*)")) }
    }

    @Test func testCodeIsNeverMutated() throws {
        for path in ["tests/test_mod.py", "pkg/tests/helpers.py", "test_mod.py", "mod_test.py", "conftest.py"] {
            #expect(try hostMutations(Self.sample, file: path).mutations.isEmpty, "\(path)")
        }
        #expect(try !hostMutations(Self.sample, file: "pkg/testament.py").mutations.isEmpty)
    }

    @Test func carriageReturnLineEndingsKeepPositions() throws {
        let (all, original) = try hostMutations("def f(a, b):\r\n    \"\"\"é\"\"\"\r\n    return a + b\r\n")
        let plus = try #require(all.first { $0.operator == .opChangeBinary })
        #expect(try mutated(plus, original) == "def f(a, b):\r\n    \"\"\"é\"\"\"\r\n    return a - b\r\n")
    }
}
