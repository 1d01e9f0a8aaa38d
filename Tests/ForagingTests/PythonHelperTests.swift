import Foraging
import Foundation
import Testing

/// The mutation helper as the Python file it is: found in the resources bundle, compiled and run
/// by the host's python3, and agreeing with Swift's operator table.
@Suite struct PythonHelperTests {
    @Test func theResourceIsTheHelper() throws {
        let helper = PythonHelper.mutation
        #expect(try helper.url().lastPathComponent == "forager_mutate.py")
        #expect(helper.containerPath == "/tmp/forager_mutate.py")
        let text = String(decoding: try helper.source(), as: UTF8.self)
        #expect(text.hasPrefix("\"\"\"Forager's mutation helper"))
        #expect(text.contains("def mutate("))
    }

    @Test func pythonCompilesItAndItMutatesATinyFile() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try installHelper(in: dir)
        let (compiled, message) = try host(["python3", "-m", "py_compile", PythonHelper.mutation.fileName], in: dir)
        #expect(compiled == 0, "\(message)")

        try Data("def add(a, b):\n    return a + b\n".utf8).write(to: dir.appendingPathComponent("tiny.py"))
        let (code, output) = try host(["python3", PythonHelper.mutation.fileName, "mutate", "--root", ".", "--file", "tiny.py",
                                       "--out", "out.json"], in: dir)
        #expect(code == 0, "\(output)")
        let list = try JSONDecoder().decode(MutationList.self, from: Data(contentsOf: dir.appendingPathComponent("out.json")))
        let plus = try #require(list.mutations.first { $0.operator == .opChangeBinary })
        #expect(plus.file == "tiny.py" && plus.function == "add" && plus.family == .operators)
        #expect(plus.edits == [SourceEdit(line: 2, col: 13, endLine: 2, endCol: 14, start: 28, end: 29, text: "-")])
        #expect(try mutated(plus, Array("def add(a, b):\n    return a + b\n".utf8)) == "def add(a, b):\n    return a - b\n")
        #expect(list.mutations.contains { $0.operator == .argRmParam && $0.note == "parameter b of add removed" })
    }

    @Test func theHelperListsTheOperatorsSwiftKnows() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try installHelper(in: dir)
        let (code, output) = try host(["python3", PythonHelper.mutation.fileName, "operators"], in: dir)
        #expect(code == 0, "\(output)")
        let python = try JSONDecoder().decode([String: String].self, from: Data(output.utf8))
        let swift = Dictionary(uniqueKeysWithValues: MutationOperator.allCases.map { ($0.rawValue, $0.family.rawValue) })
        #expect(python == swift)
        #expect(Set(MutationOperator.allCases.map(\.family)) == Set(MutationFamily.allCases))
    }
}
