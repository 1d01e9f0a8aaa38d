import Foundation
import Testing
import TestSupport
@testable import Tasks
import ForagerSupport

func temporaryFile(_ text: String, _ name: String = "rows.jsonl") throws -> String {
    let dir = TestScratch.url.appendingPathComponent("forager-tasks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let row1 = #"{"instance_id":"a__b-1","repo":"a/b","base_commit":"abc","patch":"diff --git a/x b/x","test_patch":"","problem_statement":"p","FAIL_TO_PASS":["t1"],"PASS_TO_PASS":"[\"t2\", \"t3\"]","image":"img:1","test_cmd":"pytest","log_parser":"pytest","custom":7}"#
let row2 = #"{"instance_id":"a__b-2","FAIL_TO_PASS":[],"PASS_TO_PASS":[],"image":"img:1","eval_script":"echo hi","repo_root":"/src","timeout":30}"#

@Suite("Task rows")
struct TaskLoaderTests {
    @Test("JSONL, a JSON list and a dict keyed by id load the same rows; encoded lists decode; unknown keys are kept")
    func shapes() throws {
        let jsonl = try TaskLoader.load(try temporaryFile(row1 + "\n\n" + row2 + "\n"))
        let list = try TaskLoader.load(try temporaryFile("[\(row1),\(row2)]", "rows.json"))
        let dictText = #"{"a__b-1":"# + row1 + #","a__b-2":"# + row2.replacingOccurrences(of: #""instance_id":"a__b-2","#, with: "") + "}"
        let dict = try TaskLoader.load(try temporaryFile(dictText, "rows.json"))
        #expect(jsonl == list)
        #expect(jsonl == dict)
        let first = try #require(jsonl.first)
        #expect(first.passToPass == ["t2", "t3"])
        #expect(first.failToPass == ["t1"])
        #expect(first.repoRoot == "/testbed")
        #expect(first.extra["custom"] == .number(7))
        #expect(jsonl[1].repoRoot == "/src")
        #expect(jsonl[1].timeout == 30)
        #expect(jsonl[1].evalScript == "echo hi")
    }

    @Test("every problem is reported with its file, line and key")
    func problems() throws {
        let bad = """
            {"instance_id":"x-1","FAIL_TO_PASS":"not json","PASS_TO_PASS":[],"image":"i","test_cmd":"t"}
            {"instance_id":"x-2","FAIL_TO_PASS":[1],"PASS_TO_PASS":[],"test_cmd":"t"}
            {"instance_id":"x-3","FAIL_TO_PASS":[],"PASS_TO_PASS":[],"image":"i"}
            {not json
            {"instance_id":"x-1","FAIL_TO_PASS":[],"PASS_TO_PASS":[],"image":"i","test_cmd":"t","repo_root":"rel"}
            """
        let path = try temporaryFile(bad)
        do {
            _ = try TaskLoader.load(path)
            Issue.record("bad rows loaded")
        } catch {
            let text = error.description
            #expect(text.contains("\(path):1: key 'FAIL_TO_PASS' is a string that is not a JSON-encoded list"))
            #expect(text.contains("\(path):2: key 'FAIL_TO_PASS' item 1 is a number, not a test name"))
            #expect(!text.contains("\(path):2: key 'image'"))  // an official image is derived
            #expect(text.contains("\(path):3: needs 'test_cmd' or 'eval_script' to run the tests"))
            #expect(text.contains("\(path):4: not valid JSON"))
            #expect(text.contains("\(path):5: key 'repo_root' must be an absolute path"))
            #expect(error.problems.count == 5)
        }
    }

    @Test("a repeated instance id names both places")
    func duplicates() throws {
        let path = try temporaryFile(row1 + "\n" + row1 + "\n")
        #expect(throws: TaskFileError.self) { try TaskLoader.load(path) }
        do { _ = try TaskLoader.load(path) } catch { #expect(error.description.contains("\(path):2: instance_id a__b-1 repeats the one at \(path):1")) }
    }

    @Test("the demo tasks load")
    func demoTasks() throws {
        let rows = try TaskLoader.load(packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl").path)
        #expect(rows.count >= 12)
        #expect(rows.allSatisfy { !$0.failToPass.isEmpty && $0.image.hasPrefix("forager/demo-") })
    }
}

@Suite("Predictions")
struct PredictionLoaderTests {
    let tasks = [TaskRow(instanceID: "a-1", image: "i"), TaskRow(instanceID: "a-2", image: "i")]

    @Test("all SWE-bench shapes; null and empty patches are empty")
    func shapes() throws {
        let jsonl = try PredictionLoader.load(try temporaryFile(#"{"instance_id":"a-1","model_name_or_path":"m/x","model_patch":"diff"}"# + "\n" + #"{"instance_id":"a-2","model_name_or_path":"m/x","model_patch":null}"#), tasks: tasks)
        #expect(jsonl.count == 2)
        #expect(jsonl[0].modelNameOrPath == "m/x")
        #expect(!jsonl[0].isEmpty)
        #expect(jsonl[1].isEmpty)
        let dict = try PredictionLoader.load(try temporaryFile(#"{"a-1":{"model_patch":"","model_name_or_path":"m"}}"#, "preds.json"), tasks: tasks)
        #expect(dict == [Prediction(instanceID: "a-1", modelNameOrPath: "m", modelPatch: "")])
    }

    @Test("an id not in the tasks is an error naming it")
    func unknownID() throws {
        let path = try temporaryFile(#"{"instance_id":"zzz","model_patch":"x"}"#)
        do {
            _ = try PredictionLoader.load(path, tasks: tasks)
            Issue.record("loaded a prediction for an unknown instance")
        } catch {
            #expect(error.description.contains("\(path):1: instance_id zzz is not in the tasks file"))
        }
    }
}

/// Issue 16: ids that would name files outside their folder, and a one-row file without an id.
@Suite("Task rows: unusable ids and one-row files")
struct UnusableIDTests {
    @Test("an instance id that cannot name a file is refused with its line; one with slashes maps inside its folder")
    func unusableIDs() throws {
        let rows = ["..", "bad\u{0}id", String(repeating: "x", count: 300)].map {
            row2.replacingOccurrences(of: #""a__b-2""#, with: JSONValue.string($0).encoded())
        }
        let path = try temporaryFile(rows.joined(separator: "\n") + "\n")
        let error = #expect(throws: TaskFileError.self) { try TaskLoader.load(path) }
        let text = error?.description ?? ""
        #expect(error?.problems.count == 3, "\(text)")
        #expect(text.contains(#"\#(path):1: instance_id ".." cannot be used"#), "\(text)")
        #expect(text.contains(#"\#(path):2: instance_id "bad\u0000id" cannot be used"#), "\(text)")
        #expect(text.contains("\(path):3: instance_id") && text.contains("longer than"), "\(text)")

        // The escape of the issue loads (slashes are mapped), and its name stays one component.
        let escape = row2.replacingOccurrences(of: "a__b-2", with: "../../../../escape_probe")
        let loaded = try TaskLoader.load(try temporaryFile(escape + "\n"))
        #expect(loaded.first?.instanceID == "../../../../escape_probe")
        #expect(FileNames.name(for: "../../../../escape_probe") == "..__..__..__..__escape_probe")
        for id in ["..", ".", "", "a\u{0}b", "x/../.."] {
            let name = FileNames.name(for: id)
            #expect(!name.contains("/") && name != "." && name != ".." && !name.isEmpty && !name.contains("\u{0}"), "\(id) → \(name)")
        }
    }

    @Test("a one-row JSON file without instance_id is one row missing its id, not a dict keyed by id")
    func oneRowWithoutID() throws {
        let path = try temporaryFile(row1.replacingOccurrences(of: #""instance_id":"a__b-1","#, with: "") + "\n", "one.json")
        let error = #expect(throws: TaskFileError.self) { try TaskLoader.load(path) }
        #expect(error?.problems == ["\(path):1: key 'instance_id' is missing"], "\(error?.description ?? "")")
        let predictions = try temporaryFile(#"{"model_name_or_path": "m", "model_patch": "diff"}"# + "\n", "preds.json")
        let predictionError = #expect(throws: TaskFileError.self) { try PredictionLoader.load(predictions, tasks: []) }
        #expect(predictionError?.problems == ["\(predictions):1: key 'instance_id' is missing"], "\(predictionError?.description ?? "")")
    }
}
