/// Why an instance's report carries `infra_failure` (`infra_failure_reason` in `report.json`).
///
/// Two kinds: the grader's own flags, for a test run that happened but cannot be graded on its
/// statuses (those stay model failures, as in SWE-bench v5), and the reasons Forager gives when it
/// could not run the tests at all.
public enum InfraFailureReason: String, Sendable, Codable, CaseIterable {
    /// The run hit the wall-clock timeout (`timedOut`, or the log's `>>>>> Tests Timed Out`).
    case testsTimedOut = "tests_timed_out"
    /// No test status parsed and no sign the suite ran (no `>>>>> Test Exit Code: 0`).
    case noTestsCollected = "no_tests_collected"
    /// The test command exited non-zero but the parsed log shows no FAILED/ERROR test: the log's
    /// status lines cannot be trusted (e.g. a patch printing its own `PASSED` lines).
    case exitCodeMismatch = "test_exit_code_mismatch"
    /// The row names a log parser that `LogParsers` does not know.
    case unknownLogParser = "unknown_log_parser"

    /// The task's image does not exist on the engine.
    case imageMissing = "image_missing"
    /// The Docker engine did not answer.
    case engineUnavailable = "engine_unavailable"
    /// The grading container could not be created, started or used.
    case containerUnavailable = "container_unavailable"
    /// The task's `base_commit` could not be checked out.
    case baseCommitFailed = "base_commit_failed"
    /// The task's `bug_patch` did not apply.
    case bugPatchFailed = "bug_patch_failed"
    /// The row's `repo_root` is missing or empty in the image (a broken row or image).
    case repoRootMissing = "repo_root_missing"

    /// Whether Forager's side failed (engine, image, container): the tests never ran and a rerun
    /// of the same run id evaluates the instance again.
    public var isInfrastructure: Bool {
        switch self {
        case .imageMissing, .engineUnavailable, .containerUnavailable, .repoRootMissing: true
        default: false
        }
    }
}

