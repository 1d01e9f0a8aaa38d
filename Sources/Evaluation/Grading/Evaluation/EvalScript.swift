import Foundation
import Sandbox
import Tasks

/// The script that runs an instance's hidden tests in the grading container.
public enum EvalScript {
    /// The row's own `eval_script` (with CWM's `locale-gen` fix), or one made from `test_cmd` in
    /// SWE-bench's shape: bash with `-uxo pipefail` and no `-e`; the tree logged; the test files the
    /// test patch touches reset to the base (files it adds removed); the test patch applied from a
    /// heredoc; the test command between the start and end markers; its exit code on a line of its
    /// own (v5); the test files reset again.
    /// A classic row (no `test_cmd`, no `eval_script`) gets SWE-bench's own script for its
    /// repository and version, of the release `mode` grades with (`SWEBenchEvalScript`).
    public static func make(for task: TaskRow, testPatchFiles: PatchFiles?, mode: GradingMode = .standard) -> String {
        if let own = task.evalScript, !own.isEmpty {
            return own.replacingOccurrences(of: "locale-gen", with: "locale-gen en_US.UTF-8")
        }
        if task.isClassic, let official = SWEBenchEvalScript.make(for: task, release: mode.scriptRelease) { return official }
        let root = shellQuote(task.repoRoot)
        let base = task.baseCommit.isEmpty ? "HEAD" : shellQuote(task.baseCommit)
        var reset: [String] = []
        let files = testPatchFiles?.files ?? []
        let existing = files.filter { $0.change != .added }.map { shellQuote($0.oldPath) }
        let added = files.filter { $0.change == .added }.map { shellQuote($0.newPath) }
        if !existing.isEmpty { reset.append("git checkout \(base) -- \(existing.joined(separator: " "))") }
        if !added.isEmpty { reset.append("rm -f -- \(added.joined(separator: " "))") }
        let resetText = reset.joined(separator: "\n")
        let testCommand = task.testCommand ?? "pytest -rA"
        var script = """
            #!/bin/bash
            set -uxo pipefail
            cd \(root)
            git config --global --add safe.directory \(root) 2>/dev/null || true
            git status
            git -c core.fileMode=false diff \(base)
            \(resetText)

            """
        if !task.testPatch.isEmpty {
            script += "git apply -v - <<'EOF_114329324912'\n\(task.testPatch)\(task.testPatch.hasSuffix("\n") ? "" : "\n")EOF_114329324912\n"
        }
        script += """
            : '\(EvalMarkers.start)'
            \(testCommand)
            __forager_test_rc=$?
            : '\(EvalMarkers.end)'
            echo "\(EvalMarkers.exitCodePrefix)$__forager_test_rc"
            \(resetText)

            """
        return script
    }

}

/// CWM's patch-apply cascade (spec §4.2 step 4): the first command that exits 0 wins; each gets the
/// patch file as its last argument and runs in the repository.
public enum PatchApplyCascade {
    public static let commands = [
        "git apply --verbose",
        "git apply --verbose --reject",
        "patch --batch --fuzz=5 -p1 -i",
        "git apply --allow-empty -v",
        "git apply --ignore-whitespace --verbose",
        "git apply --whitespace=fix",
        "git apply -p0 --verbose",
        "git apply -p2 --verbose",
        "git apply --verbose --force",
        "patch --batch --force -p1 -i",
        "patch --batch --fuzz=10 -p1 -i",
        "git apply --ignore-whitespace --verbose --force",
        "patch --batch --force --forward -p1 -i",
        "patch --batch --force --forward --no-backup-if-mismatch --reject-file=/dev/null -p1 -i",
    ]

    /// One bash script that runs the cascade and reports, on its last line, `APPLIED <index>` or
    /// `FAILED`. On failure the last attempt's stdout and stderr are printed, as CWM reports them.
    public static func script(repoRoot: String, patchPath: String) -> String {
        let list = commands.map { "'\($0)'" }.joined(separator: " ")
        return """
            cd \(shellQuote(repoRoot)) || exit 2
            i=0
            for cmd in \(list); do
              i=$((i+1))
              if $cmd \(shellQuote(patchPath)) >/tmp/forager-apply.out 2>/tmp/forager-apply.err; then
                echo "\\$ $cmd"; cat /tmp/forager-apply.out /tmp/forager-apply.err
                echo "APPLIED $i"
                exit 0
              fi
            done
            echo "\(EvalMarkers.applyFailed):"
            echo "stdout:"; cat /tmp/forager-apply.out; echo; echo -n "stderr:"; cat /tmp/forager-apply.err
            echo "FAILED"
            exit 1
            """
    }
}
