import Sandbox

/// The commands each SWE-bench release tries, in order, to apply a model patch
/// (`GIT_APPLY_CMDS` of `run_evaluation.py`), each with the patch file as its last argument.
/// 5.0.2 restores a pristine tree (`git checkout -- . ; git clean -fd`) before every try after the
/// first, and when every try failed counts the patch applied if `git apply --check --reverse` says
/// it already is. A patch none of them applies is an error of the run (no report), as in both.
public enum SWEBenchPatchApply {
    public static func commands(_ release: SWEBenchRelease) -> [String] {
        switch release {
        case .v4: return ["git apply --verbose", "git apply --verbose --reject", "patch --batch --fuzz=5 -p1 -i"]
        case .v5: return ["git apply --verbose", "git apply --verbose --3way", "git apply --verbose --reject",
                          "patch --batch --forward --fuzz=5 -p1 -i"]
        }
    }

    static let resetBetweenTries = "git checkout -- . ; git clean -fd"

    /// A bash script with `PatchApplyCascade.script`'s output: the last line is `APPLIED <index>`
    /// (1-based; 0 for 5.0.2's already-applied check) or `FAILED`.
    public static func script(_ release: SWEBenchRelease, repoRoot: String, patchPath: String) -> String {
        let list = commands(release).map { "'\($0)'" }.joined(separator: " ")
        let patch = shellQuote(patchPath)
        let reset = release == .v5 ? "  [ \"$i\" -gt 0 ] && { \(resetBetweenTries); } >/dev/null 2>&1\n" : ""
        let reverse = release == .v5
            ? "if git apply --check --reverse \(patch) >/dev/null 2>&1; then echo 'verified already applied'; echo 'APPLIED 0'; exit 0; fi\n"
            : ""
        return """
            cd \(shellQuote(repoRoot)) || exit 2
            i=0
            for cmd in \(list); do
            \(reset)  i=$((i+1))
              if $cmd \(patch) >/tmp/forager-apply.out 2>&1; then
                echo "\\$ $cmd"; cat /tmp/forager-apply.out
                echo "APPLIED $i"
                exit 0
              fi
            done
            \(reverse)echo "\(EvalMarkers.applyFailed):"
            cat /tmp/forager-apply.out
            echo "FAILED"
            exit 1
            """
    }
}

extension GradingMode {
    /// The grading rules of the mode: v4 (SKIPPED counts nowhere, no validity checks), v5 (its
    /// SKIPPED and exit-code rules), CWM's.
    public var rules: GradingRules {
        var rules: GradingRules
        switch self {
        case .sweBenchV4: rules = GradingRules(skippedFailToPassFails: false, requireAppliedPatchLine: false, validityChecks: false)
        case .sweBenchV5: rules = .sweBenchV5
        case .cwm: return .cwm
        }
        rules.officialParsers = true
        return rules
    }

    /// Whether the run follows a SWE-bench release (its apply commands, errors without a report,
    /// network on, no resource caps) rather than CWM's grading.
    public var isSWEBench: Bool { self != .cwm }
}
