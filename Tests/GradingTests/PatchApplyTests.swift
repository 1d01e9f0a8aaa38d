import DockerEngine
import Foundation
import Sandbox
import Testing
import TestSupport
@testable import Grading

@Suite("Patch files")
struct PatchFilesTests {
    @Test("libgit2 reads the files, changes and hunks of the demo patches, and splits tests from sources")
    func demoPatches() throws {
        for task in try demoTasks() {
            let gold = try PatchFiles(parsing: task.patch)
            #expect(!gold.files.isEmpty, "\(task.instanceID)")
            #expect(gold.testFiles.isEmpty, "\(task.instanceID): gold touches tests")
            let tests = try PatchFiles(parsing: task.testPatch)
            #expect(!tests.files.isEmpty && tests.sourceFiles.isEmpty, "\(task.instanceID)")
        }
        let added = try PatchFiles(parsing: "diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\nindex 0000000..e69de29\n--- /dev/null\n+++ b/tests/test_new.py\n@@ -0,0 +1 @@\n+x = 1\n")
        #expect(added.files == [PatchFiles.File(oldPath: "tests/test_new.py", newPath: "tests/test_new.py", change: .added, hunks: 1)])
        #expect(throws: PatchError.self) { try PatchFiles(parsing: "diff --git a/x b/x\n@@ broken") }
    }
}

@Suite("Patch apply cascade", .enabled { await dockerTestsEnabled() })
struct PatchApplyTests {
    func run(_ patch: String, on file: String) async throws -> (ExecResult, String) {
        let client = try await DockerClient.connect()
        let config = SandboxConfig(image: "forager/base:bookworm", repoRoot: "/repo", role: .grade, labels: ["forager.test": "1"])
        return try await Sandbox.with(client: client, config: config) { (box: Sandbox) async throws in
            _ = try await client.exec(container: box.containerID, ["bash", "-c", "mkdir -p /repo && cd /repo && git init -q && printf '%s' \"$0\" > a.py && git add a.py && git commit -qm base", file])
            try await client.writeFile(container: box.containerID, path: "/tmp/patch.diff", contents: Data(patch.utf8))
            let result = try await client.exec(container: box.containerID, ["bash", "-c", PatchApplyCascade.script(repoRoot: "/repo", patchPath: "/tmp/patch.diff")])
            let content = try await client.readFile(container: box.containerID, path: "/repo/a.py") ?? Data()
            return (result, String(decoding: content, as: UTF8.self))
        }
    }

    let original = (1...12).map { "line \($0)\n" }.joined()

    @Test("a clean patch applies with the first command")
    func cleanPatch() async throws {
        let patch = "--- a/a.py\n+++ b/a.py\n@@ -5,3 +5,3 @@\n line 5\n-line 6\n+LINE SIX\n line 7\n"
        let (result, content) = try await run(patch, on: original)
        #expect(result.exitCode == 0)
        #expect(result.output.stdoutText.hasSuffix("APPLIED 1\n"))
        #expect(content.contains("LINE SIX\n"))
    }

    @Test("a patch whose context drifted applies only with patch --fuzz, and is applied")
    func fuzzyPatch() async throws {
        // The context lines around line 6 were edited in the file since the patch was made.
        let drifted = original.replacingOccurrences(of: "line 4\n", with: "line four\n").replacingOccurrences(of: "line 8\n", with: "line eight\n")
        let patch = "--- a/a.py\n+++ b/a.py\n@@ -3,7 +3,7 @@\n line 3\n line 4\n line 5\n-line 6\n+LINE SIX\n line 7\n line 8\n line 9\n"
        let (result, content) = try await run(patch, on: drifted)
        #expect(result.exitCode == 0)
        #expect(result.output.stdoutText.contains("patch --batch --fuzz=5 -p1 -i"))
        #expect(content.contains("LINE SIX\n"))
    }

    @Test("a patch that cannot apply fails the whole cascade with CWM's message")
    func hopeless() async throws {
        let patch = "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n nothing\n-like\n+this\n here\n"
        let (result, content) = try await run(patch, on: original)
        #expect(result.exitCode == 1)
        #expect(result.output.stdoutText.contains(">>>>> Patch Apply Failed:\nstdout:\n"))
        #expect(result.output.stdoutText.hasSuffix("FAILED\n"))
        #expect(content == original)
    }
}
