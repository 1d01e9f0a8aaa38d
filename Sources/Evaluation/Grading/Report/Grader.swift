/// SWE-bench's resolution levels (`ResolvedStatus`).
public enum ResolutionStatus: String, Sendable, Equatable {
    case full = "RESOLVED_FULL", partial = "RESOLVED_PARTIAL", no = "RESOLVED_NO"
}

/// Which grading rules apply. `sweBenchV5` is the default; `cwm` is CWM's SBV grading
/// (cwm-protocol §4.3–4.4: the SWE-Gym `applied patch` gate and v4's skip exclusion).
public struct GradingRules: Sendable, Equatable {
    /// A SKIPPED FAIL_TO_PASS test is a failure (v5). Off: excluded from both counts (v4/CWM,
    /// behaviour 75). A SKIPPED PASS_TO_PASS test is always maintained under v5, excluded under CWM.
    public var skippedFailToPassFails: Bool
    /// The log must contain `applied patch` (any case), else not applied (CWM/SWE-Gym, behaviour 71).
    public var requireAppliedPatchLine: Bool
    /// v5's validity checks: empty map with no sign the suite ran, and a non-zero test exit code with
    /// no failure in the parsed log, make the result invalid.
    public var validityChecks: Bool
    /// Parse with swebench 5.0.2's parsers (`SWEBenchParsers`) instead of Forager's (`LogParsers`).
    public var officialParsers = false

    public init(skippedFailToPassFails: Bool, requireAppliedPatchLine: Bool, validityChecks: Bool) {
        self.skippedFailToPassFails = skippedFailToPassFails
        self.requireAppliedPatchLine = requireAppliedPatchLine
        self.validityChecks = validityChecks
    }

    public static let sweBenchV5 = GradingRules(skippedFailToPassFails: true, requireAppliedPatchLine: false,
                                                validityChecks: true)
    public static let cwm = GradingRules(skippedFailToPassFails: false, requireAppliedPatchLine: true,
                                         validityChecks: false)
}

/// Log → `report.json` entry, SWE-bench v5 (`grading.get_eval_report`, swe-formats §2.4–2.5).
///
/// Order of rules:
/// 1. `patchApplied == false` → not applied, not resolved, no `tests_status`.
/// 2. Gating: the log holds `>>>>> Patch Apply Failed`, `>>>>> Reset Failed`, `>>>>> Tests Errored` or
///    `>>>>> Tests Timed Out` → not applied, not resolved. `timedOut` is graded like the last marker.
///    (CWM rules also require `applied patch`, any case.)
/// 3. Only the text after the first start marker and before the next end marker is parsed; a missing
///    marker leaves that side open (whole-log fallback).
/// 4. The exit code is the last line starting `>>>>> Test Exit Code: N` after the end marker (anywhere
///    when there is no end marker); text the tests print cannot forge it.
/// 5. An unknown parser, an empty status map without exit code 0, or a non-zero exit code while no
///    parsed test is FAILED/ERROR → invalid: applied, not resolved, `infra_failure` with the reason.
/// 6. Per test: PASSED/XFAIL → success; missing/FAILED/ERROR → failure; SKIPPED → failure in
///    FAIL_TO_PASS, success in PASS_TO_PASS (v5). A test id with more `[` than `]` (cut at a space)
///    that is not in the map takes the status of the map's ids it prefixes, if they all agree.
/// 7. Resolved iff FULL: FAIL_TO_PASS and PASS_TO_PASS rates both 1 (an empty list counts as 1).
///    FAIL_TO_FAIL and PASS_TO_FAIL stay empty, as SWE-bench leaves them by default.
public struct Grader: Sendable {
    public var rules: GradingRules
    public init(rules: GradingRules = .sweBenchV5) { self.rules = rules }

    /// Grades under SWE-bench v5 rules.
    public static func grade(_ input: GradingInput) -> InstanceReport {
        Grader().grade(input)
    }

    public func grade(_ input: GradingInput) -> InstanceReport {
        let notApplied = InstanceReport(patchSuccessfullyApplied: false, resolved: false)
        guard input.patchApplied else { return notApplied }
        if input.timedOut || input.log.contains(EvalMarkers.testsTimedOut) {
            return InstanceReport(patchSuccessfullyApplied: false, resolved: false, infraFailure: true,
                                  infraFailureReason: .testsTimedOut)
        }
        if Self.gatingMarker(in: input.log) != nil { return notApplied }
        if rules.requireAppliedPatchLine, !input.log.lowercased().contains("applied patch") { return notApplied }

        func invalid(_ reason: InfraFailureReason, _ status: TestsStatus? = nil) -> InstanceReport {
            InstanceReport(patchSuccessfullyApplied: true, resolved: false, testsStatus: status,
                           infraFailure: true, infraFailureReason: reason)
        }
        guard let parser = rules.officialParsers ? SWEBenchParsers.named(input.logParser) : LogParsers.named(input.logParser) else {
            return invalid(.unknownLogParser)
        }
        let statuses = parser.parse(Self.testOutput(of: input.log))
        let status = evaluate(statuses, failToPass: input.failToPass, passToPass: input.passToPass)

        if rules.validityChecks {
            let exitCode = Self.testExitCode(in: input.log)
            if statuses.isEmpty, exitCode != 0 { return invalid(.noTestsCollected, status) }
            if let code = exitCode, code != 0, !statuses.values.contains(where: { $0 == .failed || $0 == .error }) {
                return invalid(.exitCodeMismatch, status)
            }
        }
        return InstanceReport(patchSuccessfullyApplied: true, resolved: Self.resolution(of: status) == .full,
                              testsStatus: status, infraFailure: false)
    }

    /// FAIL_TO_PASS and PASS_TO_PASS outcomes of a status map (rule 6); the `*_TO_FAIL` lists stay empty.
    public func evaluate(_ statuses: [String: TestStatus], failToPass: [String], passToPass: [String]) -> TestsStatus {
        func outcome(_ tests: [String], skippedFails: Bool, skippedPasses: Bool) -> TestsStatus.Outcome {
            var result = TestsStatus.Outcome()
            for test in tests {
                switch Self.status(of: test, in: statuses) {
                case .passed?, .xfail?: result.success.append(test)
                case nil, .failed?, .error?: result.failure.append(test)
                case .skipped?:
                    if skippedFails { result.failure.append(test) } else if skippedPasses { result.success.append(test) }
                }
            }
            return result
        }
        let v5 = rules.skippedFailToPassFails
        return TestsStatus(failToPass: outcome(failToPass, skippedFails: v5, skippedPasses: false),
                           passToPass: outcome(passToPass, skippedFails: false, skippedPasses: v5))
    }

    /// A test's status: exact id, else (for an id with more `[` than `]`) the one status shared by
    /// every map id it prefixes; nil when missing or the candidates disagree.
    public static func status(of test: String, in statuses: [String: TestStatus]) -> TestStatus? {
        if let exact = statuses[test] { return exact }
        let opens = test.unicodeScalars.filter { $0 == "[" }.count
        let closes = test.unicodeScalars.filter { $0 == "]" }.count
        guard opens > closes else { return nil }
        let candidates = Set(statuses.filter { LogText.starts($0.key, with: test) }.map(\.value))
        return candidates.count == 1 ? candidates.first : nil
    }

    /// FULL iff both rates are 1; PARTIAL iff 0 < FAIL_TO_PASS rate < 1 and PASS_TO_PASS rate is 1.
    public static func resolution(of status: TestsStatus) -> ResolutionStatus {
        func rate(_ o: TestsStatus.Outcome) -> Double {
            let total = o.success.count + o.failure.count
            return total == 0 ? 1 : Double(o.success.count) / Double(total)
        }
        let f2p = rate(status.failToPass), p2p = rate(status.passToPass)
        if f2p == 1, p2p == 1 { return .full }
        if f2p > 0, f2p < 1, p2p == 1 { return .partial }
        return .no
    }

    /// The first failure marker the log contains, if any (rule 2).
    public static func gatingMarker(in log: String) -> String? {
        [EvalMarkers.applyFailed, EvalMarkers.resetFailed, EvalMarkers.testsErrored, EvalMarkers.testsTimedOut]
            .first { log.contains($0) }
    }

    /// The text the parser sees (rule 3).
    public static func testOutput(of log: String) -> String {
        var text = Substring(log)
        if LogText.contains(text, EvalMarkers.start) { text = LogText.after(text, first: EvalMarkers.start) }
        if let head = LogText.before(text, first: EvalMarkers.end) { text = head }
        return String(text)
    }

    /// The test command's exit code (rule 4), or nil when the log has no exit-code line.
    public static func testExitCode(in log: String) -> Int? {
        var tail = Substring(log)
        if let endMarker = LogText.before(log, first: EvalMarkers.end) {
            tail = Substring(log.unicodeScalars[log.unicodeScalars.index(endMarker.unicodeScalars.endIndex,
                                                                        offsetBy: EvalMarkers.end.unicodeScalars.count)...])
        }
        var code: Int?
        for line in LogText.lines(String(tail)) where LogText.starts(line, with: EvalMarkers.exitCodePrefix) {
            let value = LogText.strip(LogText.after(line, first: EvalMarkers.exitCodePrefix))
            if let n = Int(value) { code = n }
        }
        return code
    }
}
