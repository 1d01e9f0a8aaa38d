import DockerEngine
import Foundation
import Sandbox
import Tasks

/// A task's `bug_patch` (mutate-fix tasks): the repository image stays clean and the bug is
/// applied when a container starts, before the agent works and before the hidden tests run.
public enum BugPatch {
    public static let containerPath = "/tmp/forager-bug.diff"

    /// Applies the patch with a strict `git apply` (no fuzz: a bug patch that does not apply is a
    /// broken task). With `commit`, the change is folded into HEAD (`commit --amend`), so the
    /// model's `git diff` shows only its own edits, and once the history is scrubbed the clean
    /// version is unreachable. The last line is `BUG_APPLIED` or `BUG_FAILED`.
    public static func script(repoRoot: String, patchPath: String = containerPath, commit: Bool) -> String {
        var s = """
            cd \(shellQuote(repoRoot)) || exit 2
            git apply --verbose \(shellQuote(patchPath)) 2>&1 || { echo BUG_FAILED; exit 1; }

            """
        if commit {
            s += """
                git -c user.name=forager -c user.email=forager@localhost commit -q -a --amend --no-edit --no-verify 2>&1 \
                  || { echo BUG_FAILED; exit 1; }

                """
        }
        s += "echo BUG_APPLIED\n"
        return s
    }

    /// Puts the test files a prediction touched back as the tree had them (HEAD plus the bug
    /// patch, which never touches tests); files it added are removed.
    public static func restoreTestsScript(repoRoot: String, files: [PatchFiles.File]) -> String {
        let existing = files.filter { $0.change != .added }.map { shellQuote($0.oldPath) }
        let added = files.filter { $0.change == .added }.map { shellQuote($0.newPath) }
        var s = "cd \(shellQuote(repoRoot)) || exit 2\n"
        if !existing.isEmpty { s += "git checkout HEAD -- \(existing.joined(separator: " "))\n" }
        if !added.isEmpty { s += "rm -f -- \(added.joined(separator: " "))\n" }
        return s
    }

    /// Writes and applies `task.bugPatch` in a running container; nothing when the row has none.
    public static func apply(task: TaskRow, client: DockerClient, containerID: String, commit: Bool) async throws(BugPatchError) {
        guard !task.bugPatch.isEmpty else { return }
        do {
            try await client.writeFile(container: containerID, path: containerPath, contents: Data(task.bugPatch.utf8))
            let run = try await client.exec(container: containerID, ["bash", "-c", script(repoRoot: task.repoRoot, commit: commit)],
                                            timeout: .seconds(120))
            let text = run.output.stdoutText + run.output.stderrText
            guard run.exitCode == 0, text.contains("BUG_APPLIED") else { throw BugPatchError.notApplied(task.instanceID, text) }
        } catch let error as BugPatchError {
            throw error
        } catch {
            throw .engine(task.instanceID, "\(error)")
        }
    }
}

public enum BugPatchError: Error, Sendable, CustomStringConvertible {
    case notApplied(String, String)
    case engine(String, String)

    public var description: String {
        switch self {
        case .notApplied(let id, let output):
            return "the bug_patch of \(id) does not apply to its image's tree (is it the right image?): \(output)"
        case .engine(let id, let why): return "applying the bug_patch of \(id): \(why)"
        }
    }
}
