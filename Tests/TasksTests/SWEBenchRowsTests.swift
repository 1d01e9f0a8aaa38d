import Foundation
import Testing
import TestSupport
@testable import Tasks

let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("SWE-bench rows as published")
struct SWEBenchRowsTests {
    static let files = ["Tasks/swebench/lite.jsonl", "Tasks/swebench/verified.jsonl"].map { projectRoot.appendingPathComponent($0).path }

    @Test("every row of SWE-bench Lite (300) and the Verified sample (97) loads, with its official image and its repository's parser")
    func publishedRowsLoad() throws {
        let lite = try TaskLoader.load(Self.files[0])
        let verified = try TaskLoader.load(Self.files[1])
        #expect(lite.count == 300)
        #expect(verified.count == 97)
        for row in lite + verified {
            #expect(row.isClassic)
            #expect(!row.imageGiven)
            #expect(row.image == "swebench/sweb.eval.x86_64.\(row.instanceID.lowercased().replacingOccurrences(of: "__", with: "_1776_")):latest")
            #expect(SWEBenchSpecs.bundled.spec(repo: row.repo, version: row.version) != nil, "\(row.instanceID) \(row.repo) \(row.version)")
            #expect(!row.failToPass.isEmpty, "\(row.instanceID)")
        }
        let django = try #require(lite.first { $0.repo == "django/django" })
        #expect(django.logParser == "django")
        #expect(lite.first { $0.repo == "psf/requests" }?.logParser == "pytest_options")
        #expect(verified.contains { $0.extra["difficulty"] != nil })
        #expect(Set(lite.map(\.repo)).count == 12)
    }

    @Test("the same rows as a JSON array with lists instead of JSON strings load the same")
    func arrayWithLists() throws {
        let rows = try TaskLoader.load(Self.files[1])
        let objects = rows.map { JSONValue.object($0.jsonObject) }
        let path = try temporaryFile(JSONValue.array(objects).encoded(), "rows.json")
        let again = try TaskLoader.load(path)
        #expect(again == rows)
    }

    @Test("a row's own keys stay overrides; an unknown repository or version without test_cmd is rejected by name")
    func overridesAndUnknown() throws {
        let own = #"{"instance_id":"django__django-1","repo":"django/django","version":"3.0","FAIL_TO_PASS":"[]","PASS_TO_PASS":"[]","image":"mine:1","log_parser":"pytest","test_cmd":"pytest"}"#
        let row = try #require(try TaskLoader.load(try temporaryFile(own)).first)
        #expect(row.image == "mine:1" && row.imageGiven)
        #expect(row.logParser == "pytest" && !row.isClassic)
        #expect(row.withOfficialImage(OfficialImage(registry: "127.0.0.1:5000")).image == "mine:1")

        let unknown = #"{"instance_id":"a__b-1","repo":"a/b","version":"9.9","FAIL_TO_PASS":[],"PASS_TO_PASS":[]}"#
        #expect {
            try TaskLoader.load(try temporaryFile(unknown))
        } throws: { error in
            "\(error)".contains("repo 'a/b', version '9.9' is not among them")
        }
    }

    @Test("an agent's session on a published row (and on the official-layout flask rows) activates testbed; a row with its own test_cmd gets nothing")
    func sessionActivation() throws {
        let rows = try Self.files.flatMap { try TaskLoader.load($0) }
            + TaskLoader.load(projectRoot.appendingPathComponent("Tasks/swebench-flask/rows.jsonl").path)
        for row in rows {
            #expect(row.sessionStartupCommands() == "source /opt/miniconda3/bin/activate && conda activate testbed", "\(row.instanceID)")
        }
        var own = try #require(rows.first)
        own.testCommand = "pytest -rA"
        #expect(own.sessionStartupCommands() == "")
    }

    @Test("official image names: namespace, architecture, registry")
    func officialNames() {
        #expect(OfficialImage().name(for: "django__django-11099") == "swebench/sweb.eval.x86_64.django_1776_django-11099:latest")
        #expect(OfficialImage(namespace: "me", arch: "arm64", registry: "127.0.0.1:5000").name(for: "Sympy__sympy-1")
                == "127.0.0.1:5000/me/sweb.eval.arm64.sympy_1776_sympy-1:latest")
    }
}
