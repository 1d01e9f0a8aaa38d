import Foraging
import Foundation
import Testing
import TestSupport

@Suite struct RepoSpecTests {
    @Test func theShippedSpecsLoad() throws {
        for name in ["calc", "ledger", "textkit", "toolz", "more-itertools"] {
            let spec = try RepoSpec.load(packageRoot.appendingPathComponent("Tasks/repos/\(name).json").path)
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

    @Test func everySpecInTasksReposLoadsAndRoundTrips() throws {
        let folder = packageRoot.appendingPathComponent("Tasks/repos")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 6)
        for file in files {
            let path = folder.appendingPathComponent(file).path
            let spec = try RepoSpec.load(path)
            #expect(spec.file == path && spec.name + ".json" == file)
            var decoded = try JSONDecoder().decode(RepoSpec.self, from: JSONEncoder().encode(spec))
            decoded.file = path
            #expect(decoded == spec)
        }
    }

    @Test func notAnObjectNotJSONAndNullFields() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ text: String) throws -> String {
            let file = dir.appendingPathComponent("spec.json")
            try Data(text.utf8).write(to: file)
            do { _ = try RepoSpec.load(file.path) } catch { return error.description }
            return ""
        }
        #expect(try message("[1, 2]").hasSuffix("spec.json: the file is not a JSON object"))
        #expect(try message("{\"name\": ").contains("spec.json: the file is not valid JSON"))
        let nulls = try message(#"{"name": null, "image": "i", "test_cmd": "pytest", "source_dirs": ["a", 3], "timeout": -1}"#)
        #expect(nulls.contains("spec.json: field 'name' should be a string"))
        #expect(nulls.contains("spec.json: field 'source_dirs' item 2 should be a relative folder inside repo_root"))
        #expect(nulls.contains("spec.json: field 'timeout' should be a positive number of seconds"))
        #expect(try message(#"{"name": "n", "image": "i", "test_cmd": "pytest", "source_dirs": ["a"], "timeout": null}"#).isEmpty)
    }

    @Test func theBaselinesFlakyTestsAreReadAndRoundTrip() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("env.json")
        // As `forager env build` writes it: the baseline's passed and failed lists are not the spec's business.
        try Data(#"{"name": "n", "image": "i", "test_cmd": "pytest", "source_dirs": ["a"], "baseline": {"passed": ["t::a"], "failed": [], "flaky": ["t::b", "t::c"]}}"#.utf8).write(to: file)
        let spec = try RepoSpec.load(file.path)
        #expect(spec.flakyTests == ["t::b", "t::c"])
        #expect(spec.baselinePassed == ["t::a"])
        var decoded = try JSONDecoder().decode(RepoSpec.self, from: JSONEncoder().encode(spec))
        decoded.file = spec.file
        #expect(decoded == spec)
        try Data(#"{"name": "n", "image": "i", "test_cmd": "pytest", "source_dirs": ["a"], "baseline": {"flaky": "t::b"}}"#.utf8).write(to: file)
        var message = ""
        do { _ = try RepoSpec.load(file.path) } catch { message = error.description }
        #expect(message.contains("env.json: field 'baseline' should be an object whose 'passed' and 'flaky' are lists of test names"))
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
