import DockerEngine
import Foundation

/// Hides the future from the model: after the scrub, no commit newer than the base is reachable.
public enum GitScrub {
    public struct Report: Sendable, Equatable {
        /// HEAD after the scrub (the task's base commit).
        public let head: String
        /// Commits reachable from any ref, HEAD included.
        public let reachableCommits: Int
        /// Refs left besides HEAD (at most the current branch).
        public let refs: [String]
    }

    /// The scrub, as CWM and SWE-bench do it, then the check, in a subshell so the session's
    /// state is untouched. Prints `HEAD`, the reachable count, the refs, and the commits not
    /// reachable from HEAD (which must be none).
    ///
    /// Where CWM runs `git gc --prune=now` (a full repack, most of a second even on a small
    /// repository), this prunes loose objects and repacks only when a pack still holds objects
    /// that nothing reachable uses: the same end state, at a fraction of the cost.
    static func script(repoRoot: String) -> String {
        """
        ( set -e
        cd \(shellQuote(repoRoot))
        git rev-parse --git-dir >/dev/null 2>&1 || { echo "NOT_A_GIT_REPOSITORY"; exit 3; }
        for r in $(git remote); do git remote remove "$r"; done
        current=$(git symbolic-ref -q --short HEAD || true)
        git for-each-ref --format='%(refname)' | while read -r ref; do
          if [ -z "$current" ] || [ "$ref" != "refs/heads/$current" ]; then git update-ref -d "$ref"; fi
        done
        if [ -n "$current" ]; then git branch --unset-upstream >/dev/null 2>&1 || true; fi
        git stash clear 2>/dev/null || true
        git reflog expire --expire=now --all
        git prune --expire=now
        if [ -n "$(ls "$(git rev-parse --git-dir)/objects/pack/" 2>/dev/null | grep '\\.pack$')" ]; then
          all=$(git cat-file --batch-all-objects --batch-check='%(objectname)' | wc -l)
          used=$(git rev-list --all --objects --indexed-objects | wc -l)
          if [ "$all" -ne "$used" ]; then git repack -a -d -q && git prune --expire=now; fi
        fi
        echo "HEAD $(git rev-parse HEAD)"
        echo "REACHABLE $(git rev-list --all | wc -l)"
        git for-each-ref --format='REF %(refname)'
        echo "FUTURE $(git rev-list --all --not HEAD | wc -l)"
        echo "OBJECTS $(git cat-file --batch-all-objects --batch-check='%(objectname)' | wc -l) $(git rev-list --all --objects --indexed-objects | wc -l)"
        echo "STATUS 0" )
        """
    }

    /// Runs the scrub in the sandbox's persistent shell and checks its result.
    static func run(shell: PersistentShell, repoRoot: String) async throws(SandboxError) -> Report {
        let outcome = try await shell.run(script(repoRoot: repoRoot))
        guard case .success(let output, _) = outcome else {
            throw .scrubFailed("the session failed while scrubbing: \(outcome)")
        }
        return try parse(String(decoding: output, as: UTF8.self), repoRoot: repoRoot)
    }

    static func parse(_ out: String, repoRoot: String) throws(SandboxError) -> Report {
        if out.contains("NOT_A_GIT_REPOSITORY") { throw .scrubFailed("\(repoRoot) is not a git repository") }
        guard out.contains("STATUS 0") else { throw .scrubFailed(out) }
        var head = "", reachable = 0, future = -1, objects: [Int] = []
        var refs: [String] = []
        for line in out.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "HEAD": head = parts[1]
            case "REACHABLE": reachable = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            case "REF": refs.append(parts[1])
            case "FUTURE": future = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? -1
            case "OBJECTS": objects = parts[1].split(separator: " ").compactMap { Int($0) }
            default: break
            }
        }
        guard future == 0 else {
            throw .scrubFailed("\(future) commits not reachable from HEAD are still reachable after the scrub")
        }
        guard objects.count == 2, objects[0] == objects[1] else {
            throw .scrubFailed("objects that nothing reachable uses are still stored (\(objects))")
        }
        return Report(head: head, reachableCommits: reachable, refs: refs)
    }
}
