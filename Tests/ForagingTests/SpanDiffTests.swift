import Foraging
import Foundation
import Testing

/// The bug diff and its reverse, checked with the host's `git apply` against the files themselves.
@Suite struct SpanDiffTests {
    /// Applies `diff` to `content` (saved as `path`) with git and returns the result.
    func gitApply(_ diff: String, to content: [UInt8], path: String) throws -> [UInt8] {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(content).write(to: file)
        try Data(diff.utf8).write(to: dir.appendingPathComponent("change.diff"))
        let (code, output) = try host(["git", "apply", "--verbose", "change.diff"], in: dir)
        #expect(code == 0, "git apply: \(output)\n\(diff)")
        return Array(try Data(contentsOf: file))
    }

    @Test func everyMutationRoundTripsThroughGitApply() throws {
        let (all, original) = try hostMutations(MutationHelperTests.sample, file: "pkg/mod.py")
        #expect(!all.isEmpty)
        for m in all {
            let mutatedBytes = try EditApplication.apply(m.edits, to: original, file: m.file)
            let diff = try SpanDiff(path: m.file, original: original, edits: m.edits)
            #expect(diff.forward.hasPrefix("diff --git a/pkg/mod.py b/pkg/mod.py\n--- a/pkg/mod.py\n+++ b/pkg/mod.py\n@@ "))
            #expect(try gitApply(diff.forward, to: original, path: m.file) == mutatedBytes, "\(m.note)")
            #expect(try gitApply(diff.reverse, to: mutatedBytes, path: m.file) == original, "\(m.note)")
        }
    }

    @Test func farApartEditsGetSeparateHunks() throws {
        var lines = (1...40).map { "x\($0) = \($0)\n" }
        lines[0] = "a = 1  # é\n"
        lines[39] = "b = 2\n"
        let original = Array(lines.joined().utf8)
        let starts = EditApplication.lineStarts(original)
        let first = SourceEdit(line: 1, col: 4, endLine: 1, endCol: 5, start: 4, end: 5, text: "10\n# added")
        let lastStart = starts[39] + 4
        let last = SourceEdit(line: 40, col: 4, endLine: 40, endCol: 5, start: lastStart, end: lastStart + 1, text: "20")
        let diff = try SpanDiff(path: "m.py", original: original, edits: [first, last])
        #expect(diff.forward.components(separatedBy: "\n@@ ").count == 3)  // header, hunk, hunk
        #expect(diff.forward.contains("@@ -1,4 +1,5 @@\n-a = 1  # é\n+a = 10\n+# added  # é\n"))
        #expect(diff.forward.contains("@@ -37,4 +38,4 @@"))
        #expect(diff.reverse.contains("@@ -38,4 +37,4 @@"))
        let mutatedBytes = try EditApplication.apply([first, last], to: original, file: "m.py")
        #expect(try gitApply(diff.forward, to: original, path: "m.py") == mutatedBytes)
        #expect(try gitApply(diff.reverse, to: mutatedBytes, path: "m.py") == original)
    }

    @Test func aFileWithoutFinalNewline() throws {
        let original = Array("def f():\n    return 1".utf8)
        let edit = SourceEdit(line: 2, col: 11, endLine: 2, endCol: 12, start: 20, end: 21, text: "2")
        let diff = try SpanDiff(path: "f.py", original: original, edits: [edit])
        #expect(diff.forward.hasSuffix("+    return 2\n\\ No newline at end of file\n"))
        #expect(try gitApply(diff.forward, to: original, path: "f.py") == Array("def f():\n    return 2".utf8))
    }

    @Test func positionsThatDisagreeWithOffsetsAreRejected() throws {
        let original = Array("é = 1\n".utf8)
        // Column 4 is a UTF-8 byte column (é is two bytes); a character column (3) is a mistake.
        let good = SourceEdit(line: 1, col: 5, endLine: 1, endCol: 6, start: 5, end: 6, text: "2")
        #expect(String(decoding: try EditApplication.apply([good], to: original, file: "e.py"), as: UTF8.self) == "é = 2\n")
        let characterColumns = SourceEdit(line: 1, col: 4, endLine: 1, endCol: 5, start: 5, end: 6, text: "2")
        #expect(throws: EditError.self) { try EditApplication.apply([characterColumns], to: original, file: "e.py") }
    }
}
