import ForagerSupport
import Foundation
import Testing
import TestSupport
@testable import Tasks

/// SWE-smith rows (the bug as `patch`, `image_name`, no test patch) and the diff reversal that
/// makes their fix, checked with git itself.
@Suite("SWE-smith rows")
struct SWESmithRowsTests {
    /// Runs git in `dir`; the status and combined output.
    @discardableResult
    func git(_ args: [String], in dir: URL, input: String? = nil) throws -> (Int32, String) {
        let result = try ProcessRunner.run("/usr/bin/git", ["-c", "user.name=t", "-c", "user.email=t@t"] + args, currentDirectory: dir,
                                           stdin: input.map { Data($0.utf8) }, timeout: .seconds(60))
        return (result.status, result.stdoutText + String(decoding: result.stderr, as: UTF8.self))
    }

    @Test("the reverse of a diff with edits, a new file, a deleted file and a rename undoes it (git apply)")
    func reversalUndoesTheDiff() throws {
        let dir = try TempDir(prefix: "forager-reverse-").url
        defer { try? FileManager.default.removeItem(at: dir) }
        try git(["init", "-q"], in: dir)
        try "a\nb\nc\nd\ne\nf\ng\n".write(to: dir.appendingPathComponent("m.py"), atomically: true, encoding: .utf8)
        try "gone\n".write(to: dir.appendingPathComponent("old.py"), atomically: true, encoding: .utf8)
        try "same\nbody\nlines\n".write(to: dir.appendingPathComponent("r1.py"), atomically: true, encoding: .utf8)
        try git(["add", "-A"], in: dir)
        try git(["commit", "-qm", "base"], in: dir)
        // The "bug": edits in two hunks, a file added, one removed, one renamed.
        try "a\nB\nc\nd\ne\nF\nf2\ng\n".write(to: dir.appendingPathComponent("m.py"), atomically: true, encoding: .utf8)
        try "new\n".write(to: dir.appendingPathComponent("added.py"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("old.py"))
        try git(["mv", "r1.py", "r2.py"], in: dir)
        try git(["add", "-A"], in: dir)
        let (_, bug) = try git(["diff", "--cached", "-M"], in: dir)
        #expect(bug.contains("rename from r1.py") && bug.contains("new file mode") && bug.contains("deleted file mode"))
        try git(["commit", "-qm", "bug"], in: dir)

        let fix = try ReversedDiff.reverse(bug)
        #expect(fix.contains("rename from r2.py\nrename to r1.py"))
        try fix.write(to: dir.appendingPathComponent("../fix-\(dir.lastPathComponent).diff"), atomically: true, encoding: .utf8)
        let (status, output) = try git(["apply", "--verbose", "../fix-\(dir.lastPathComponent).diff"], in: dir)
        #expect(status == 0, "\(output)\n\(fix)")
        try git(["add", "-A"], in: dir)
        let (_, left) = try git(["diff", "--cached", "HEAD~1", "--stat"], in: dir)
        #expect(left.isEmpty, "the reversed diff did not restore the base: \(left)")
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("../fix-\(dir.lastPathComponent).diff"))
        #expect(throws: ReversedDiff.Failure.binary) { try ReversedDiff.reverse("diff --git a/x b/x\nGIT binary patch\nliteral 1\n") }
    }

    @Test("a SWE-smith row: image from image_name, its patch the bug, the reverse the gold, the suite as the tests")
    func rowMapping() throws {
        let bug = "diff --git a/pkg/m.py b/pkg/m.py\n--- a/pkg/m.py\n+++ b/pkg/m.py\n@@ -1,2 +1,2 @@\n def f():\n-    return 1\n+    return 2\n"
        var o: [String: Any] = ["instance_id": "owner__repo.0123abcd.func_pm_op_change__x1y2z3", "repo": "swesmith/owner__repo.0123abcd",
                                "patch": bug, "FAIL_TO_PASS": ["tests/test_m.py::test_f"], "PASS_TO_PASS": ["tests/test_m.py::test_g"],
                                "image_name": "jyangballin/swesmith.x86_64.owner_1776_repo.0123abcd", "problem_statement": "f is wrong",
                                "base_commit": "feedbeef"]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self)
        let row = try #require(try TaskLoader.load(try temporaryFile(text)).first)
        #expect(row.image == "jyangballin/swesmith.x86_64.owner_1776_repo.0123abcd")
        #expect(row.bugPatch == bug)
        #expect(row.patch.contains("\n-    return 2\n") && row.patch.contains("\n+    return 1\n"))
        #expect(row.testCommand == SWESmithRow.testCommand && row.logParser == "pytest")
        #expect(row.baseCommit.isEmpty, "the bug branch's commit is not the image's tree")
        // A row's own test_cmd wins.
        o["test_cmd"] = "pytest -rA tests"
        let own = try #require(try TaskLoader.load(try temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self))).first)
        #expect(own.testCommand == "pytest -rA tests")
    }
}
