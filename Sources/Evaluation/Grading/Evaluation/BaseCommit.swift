import DockerEngine
import Foundation
import Sandbox
import Tasks

/// A task whose `base_commit` is an older commit of its image's repository (issue-fix tasks from
/// history): the tree is checked out at the base when a container starts, before the bug patch,
/// before the agent works (and before the history scrub hides the newer commits) and before the
/// hidden tests run. Rows whose base is HEAD, or names a commit the image does not hold (the image
/// is the base, as SWE-bench images are), are left as they are.
public enum BaseCommit {
    /// Last line `BASE_KEPT`, `BASE_CHECKED_OUT` or `BASE_FAILED`. On a branch the branch moves to
    /// the base (`checkout -B`), so the tree looks like an ordinary clone at that commit.
    /// With `keepDescendant` (official SWE-bench images, which commit their setup on top of the
    /// base), a HEAD that descends from the base is kept as it is.
    public static func script(repoRoot: String, baseCommit: String, keepDescendant: Bool = false) -> String {
        let base = shellQuote(baseCommit + "^{commit}")
        let descendant = keepDescendant ? "git merge-base --is-ancestor \"$want\" HEAD 2>/dev/null && { echo BASE_KEPT; exit 0; }\n" : ""
        return """
            cd \(shellQuote(repoRoot)) || exit 2
            want=$(git rev-parse -q --verify \(base) 2>/dev/null) || { echo BASE_KEPT; exit 0; }
            [ "$(git rev-parse -q --verify HEAD)" = "$want" ] && { echo BASE_KEPT; exit 0; }
            \(descendant)            branch=$(git symbolic-ref -q --short HEAD || true)
            if [ -n "$branch" ]; then
              git checkout -q -f -B "$branch" "$want" 2>&1 || { echo BASE_FAILED; exit 1; }
            else
              git checkout -q -f --detach "$want" 2>&1 || { echo BASE_FAILED; exit 1; }
            fi
            echo BASE_CHECKED_OUT

            """
    }

    /// Checks out `task.baseCommit` in a running container when it is an older commit of the
    /// repository; nothing when the row has no base commit or its base is HEAD.
    @discardableResult
    public static func checkout(task: TaskRow, client: DockerClient, containerID: String,
                                keepDescendant: Bool = false) async throws(BaseCommitError) -> Bool {
        guard !task.baseCommit.isEmpty else { return false }
        do {
            let run = try await client.exec(container: containerID,
                                            ["bash", "-c", script(repoRoot: task.repoRoot, baseCommit: task.baseCommit, keepDescendant: keepDescendant)],
                                            timeout: .seconds(120))
            let text = run.output.stdoutText + run.output.stderrText
            guard run.exitCode == 0, !text.contains("BASE_FAILED") else { throw BaseCommitError.notCheckedOut(task.instanceID, text) }
            return text.contains("BASE_CHECKED_OUT")
        } catch let error as BaseCommitError {
            throw error
        } catch {
            throw .engine(task.instanceID, "\(error)")
        }
    }
}

public enum BaseCommitError: Error, Sendable, CustomStringConvertible {
    case notCheckedOut(String, String)
    case engine(String, String)

    public var description: String {
        switch self {
        case .notCheckedOut(let id, let output): return "cannot check out the base_commit of \(id) in its image: \(output)"
        case .engine(let id, let why): return "checking out the base_commit of \(id): \(why)"
        }
    }
}
