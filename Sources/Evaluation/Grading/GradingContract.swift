/// The types the evaluation flow and the log-to-report grading share.

/// A test's status in a parsed log (SWE-bench's statuses).
public enum TestStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case passed = "PASSED"
    case failed = "FAILED"
    case skipped = "SKIPPED"
    case error = "ERROR"
    case xfail = "XFAIL"
}

/// Turns a test run's log into each test's status. Named by a task row's `log_parser`.
public protocol TestLogParser: Sendable {
    /// The parser's name as task rows write it (`pytest`, `django`, `sympy`, …).
    var name: String { get }
    func parse(_ log: String) -> [String: TestStatus]
}

/// Markers the evaluation script prints around the test command (SWE-bench v5's, as xtrace shows
/// `: '>>>>> Start Test Output'`), and the exit-code line after the end marker.
public enum EvalMarkers {
    public static let start = ">>>>> Start Test Output"
    public static let end = ">>>>> End Test Output"
    public static let exitCodePrefix = ">>>>> Test Exit Code: "
    public static let applyFailed = ">>>>> Patch Apply Failed"
    public static let resetFailed = ">>>>> Reset Failed"
    public static let testsErrored = ">>>>> Tests Errored"
    public static let testsTimedOut = ">>>>> Tests Timed Out"
}

/// What the grader needs about one evaluated instance.
public struct GradingInput: Sendable {
    public var instanceID: String
    /// The whole test output (`test_output.txt`), markers included.
    public var log: String
    public var failToPass: [String]
    public var passToPass: [String]
    /// The row's `log_parser`.
    public var logParser: String
    /// Whether the model patch applied (false: graded as not applied, nothing parsed).
    public var patchApplied: Bool
    /// Whether the test run hit the timeout.
    public var timedOut: Bool

    public init(instanceID: String, log: String, failToPass: [String], passToPass: [String], logParser: String,
                patchApplied: Bool, timedOut: Bool) {
        self.instanceID = instanceID
        self.log = log
        self.failToPass = failToPass
        self.passToPass = passToPass
        self.logParser = logParser
        self.patchApplied = patchApplied
        self.timedOut = timedOut
    }
}

/// `tests_status` of a SWE-bench report: per transition category, the tests that succeeded and failed.
public struct TestsStatus: Codable, Sendable, Equatable {
    public struct Outcome: Codable, Sendable, Equatable {
        public var success: [String]
        public var failure: [String]
        public init(success: [String] = [], failure: [String] = []) {
            self.success = success
            self.failure = failure
        }
    }
    public var failToPass: Outcome
    public var passToPass: Outcome
    public var failToFail: Outcome
    public var passToFail: Outcome

    public init(failToPass: Outcome = .init(), passToPass: Outcome = .init(), failToFail: Outcome = .init(), passToFail: Outcome = .init()) {
        self.failToPass = failToPass
        self.passToPass = passToPass
        self.failToFail = failToFail
        self.passToFail = passToFail
    }

    enum CodingKeys: String, CodingKey {
        case failToPass = "FAIL_TO_PASS", passToPass = "PASS_TO_PASS", failToFail = "FAIL_TO_FAIL", passToFail = "PASS_TO_FAIL"
    }
}

/// The value inside SWE-bench's `report.json` (`{instance_id: InstanceReport}`), with v5's
/// infrastructure keys.
public struct InstanceReport: Codable, Sendable, Equatable {
    public var patchIsNone: Bool
    public var patchExists: Bool
    public var patchSuccessfullyApplied: Bool
    public var resolved: Bool
    public var testsStatus: TestsStatus?
    public var infraFailure: Bool?
    public var infraFailureReason: InfraFailureReason?

    public init(patchIsNone: Bool = false, patchExists: Bool = true, patchSuccessfullyApplied: Bool, resolved: Bool,
                testsStatus: TestsStatus? = nil, infraFailure: Bool? = nil, infraFailureReason: InfraFailureReason? = nil) {
        self.patchIsNone = patchIsNone
        self.patchExists = patchExists
        self.patchSuccessfullyApplied = patchSuccessfullyApplied
        self.resolved = resolved
        self.testsStatus = testsStatus
        self.infraFailure = infraFailure
        self.infraFailureReason = infraFailureReason
    }

    enum CodingKeys: String, CodingKey {
        case patchIsNone = "patch_is_None", patchExists = "patch_exists"
        case patchSuccessfullyApplied = "patch_successfully_applied", resolved
        case testsStatus = "tests_status", infraFailure = "infra_failure", infraFailureReason = "infra_failure_reason"
    }
}
