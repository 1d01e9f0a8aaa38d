import Foraging
import Foundation
import Testing

@Suite struct RepoSpecTests {
    @Test func theShippedSpecsLoad() throws {
        for name in ["calc", "ledger", "textkit", "toolz", "more-itertools"] {
            let spec = try RepoSpec.load(repositoryRoot.appendingPathComponent("Tasks/repos/\(name).json").path)
            #expect(spec.name == name)
            #expect(spec.repoRoot == "/testbed")
            #expect(try spec.pytestArguments().contains("-rA"))
        }
    }

    @Test func problemsNameTheFileAndTheField() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.json")
        try Data(#"{"name": "x", "image": 3, "repo_root": "testbed", "source_dirs": []}"#.utf8).write(to: file)
        var message = ""
        do { _ = try RepoSpec.load(file.path) } catch { message = error.description }
        #expect(message.contains("\(file.path): field 'image' should be a string"))
        #expect(message.contains("\(file.path): field 'test_cmd' is missing"))
        #expect(message.contains("field 'repo_root' must be an absolute path"))
        #expect(message.contains("field 'source_dirs' is empty"))
    }

    @Test func tracingNeedsAPlainPytestCommand() throws {
        let spec = RepoSpec(name: "x", image: "i", testCommand: "make test", sourceDirectories: ["x"], file: "x.json")
        var message = ""
        do { _ = try spec.pytestArguments() } catch { message = error.description }
        #expect(message.contains("x.json: field 'test_cmd' must start with `pytest`"))
        let module = RepoSpec(name: "x", image: "i", testCommand: "python -m pytest -rA tests", sourceDirectories: ["x"])
        #expect(try module.pytestArguments() == ["-rA", "tests"])
    }

    @Test func theSelectionIsSeeded() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try installHelper(in: dir)
        try Data(MutationHelperTests.sample.utf8).write(to: dir.appendingPathComponent("m.py"))
        func select(_ seed: Int) throws -> [String] {
            let (code, output) = try host(["python3", PythonHelper.mutation.fileName, "mutate", "--root", ".", "--file", "m.py",
                                           "--out", "o.json", "--limit", "13", "--seed", "\(seed)"], in: dir)
            #expect(code == 0, "\(output)")
            let list = try JSONDecoder().decode(MutationList.self, from: Data(contentsOf: dir.appendingPathComponent("o.json")))
            return list.mutations.map { "\($0.operator.rawValue): \($0.note)" }
        }
        let a = try select(1), b = try select(1), c = try select(2)
        #expect(a == b)
        #expect(a != c)
        // Round robin: the first 13 cover the operators (one may be skipped when its pick does not parse).
        #expect(Set(a.map { String($0.prefix { $0 != ":" }) }).count >= 12)
    }
}
