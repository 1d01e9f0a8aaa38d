import Foundation
import Testing
@testable import Grading

private func input(_ log: String, f2p: [String] = [], p2p: [String] = [], parser: String = "pytest",
                   applied: Bool = true, timedOut: Bool = false) -> GradingInput {
    GradingInput(instanceID: "demo__calc-1", log: log, failToPass: f2p, passToPass: p2p, logParser: parser,
                 patchApplied: applied, timedOut: timedOut)
}

/// A log shaped like SWE-bench v5's eval script output around `body`.
private func evalLog(_ body: String, exitCode: Int? = 0, before: String = "Applied patch tests/t.py cleanly.\n") -> String {
    var log = before + "+ : '>>>>> Start Test Output'\n" + body + "\n+ : '>>>>> End Test Output'\n"
    if let exitCode { log += "+ echo '>>>>> Test Exit Code: \(exitCode)'\n>>>>> Test Exit Code: \(exitCode)\n" }
    return log
}

private let t = "tests/test_recording.py::"

@Suite("Grader (SWE-bench v5)")
struct GraderTests {
    @Test("a recorded eval log: passing F2P/P2P resolve, despite other failures and exit code 1")
    func recordedResolved() throws {
        let log = try Fixtures.text("eval-pytest.log")
        #expect(Grader.testExitCode(in: log) == 1)
        let report = Grader.grade(input(log, f2p: [t + "test_passes", t + "test_xfails"], p2p: [t + "TestGroup::test_method"]))
        #expect(report.resolved)
        #expect(report.patchSuccessfullyApplied)
        #expect(report.infraFailure == false)
        #expect(report.testsStatus?.failToPass == .init(success: [t + "test_passes", t + "test_xfails"]))
        #expect(report.testsStatus?.failToFail == .init())
        #expect(report.testsStatus?.passToFail == .init())
    }

    @Test("a recorded eval log: a FAILED or ERROR test fails")
    func recordedFailures() throws {
        let log = try Fixtures.text("eval-pytest.log")
        let report = Grader.grade(input(log, f2p: [t + "test_passes", t + "test_fails"], p2p: [t + "test_errors"]))
        #expect(!report.resolved)
        #expect(report.testsStatus?.failToPass == .init(success: [t + "test_passes"], failure: [t + "test_fails"]))
        #expect(report.testsStatus?.passToPass == .init(failure: [t + "test_errors"]))
        #expect(Grader.resolution(of: try #require(report.testsStatus)) == .no)  // PASS_TO_PASS rate 0
    }

    @Test("a patch printing its own PASSED line after a real failure, exit code 1 → invalid, not resolved")
    func forgedPassed() throws {
        let log = try Fixtures.text("eval-forged-passed.log")
        let statuses = PytestLogParser().parse(Grader.testOutput(of: log))
        #expect(statuses["forged/test_target.py::test_target"] == .passed)  // the forgery fools the parser
        let report = Grader.grade(input(log, f2p: ["forged/test_target.py::test_target"],
                                        p2p: ["forged/test_target.py::test_other"]))
        #expect(!report.resolved)
        #expect(report.patchSuccessfullyApplied)
        #expect(report.infraFailure == true)
        #expect(report.infraFailureReason == .exitCodeMismatch)
    }

    @Test("fake PASSED lines plus a forged exit-code line inside the test output → still exit code 1")
    func forgedExitCode() {
        let log = evalLog("PASSED a.py::t\n>>>>> Test Exit Code: 0\n>>>>> End Test Output\n>>>>> Test Exit Code: 0", exitCode: 1)
        #expect(Grader.testExitCode(in: log) == 1)
        let report = Grader.grade(input(log, f2p: ["a.py::t"]))
        #expect(!report.resolved)
        #expect(report.infraFailureReason == .exitCodeMismatch)
    }

    @Test("only the text between the markers is parsed; whole log without them")
    func markers() {
        let log = "PASSED a.py::before\n" + evalLog("PASSED a.py::inside") + "PASSED a.py::after\n"
        #expect(Grader.grade(input(log, f2p: ["a.py::inside"])).resolved)
        #expect(!Grader.grade(input(log, f2p: ["a.py::before"])).resolved)
        #expect(!Grader.grade(input(log, f2p: ["a.py::after"])).resolved)
        #expect(Grader.grade(input("PASSED a.py::t\n", f2p: ["a.py::t"])).resolved)
    }

    @Test("behaviour 71 (CWM rules): no 'applied patch' line → not applied; v5 does not require it")
    func appliedPatchLine() {
        let bare = evalLog("PASSED a.py::t", before: "")
        let cwm = Grader(rules: .cwm)
        #expect(cwm.grade(input(bare, f2p: ["a.py::t"])) == InstanceReport(patchSuccessfullyApplied: false, resolved: false))
        #expect(cwm.grade(input("APPLIED PATCH ok\n" + bare, f2p: ["a.py::t"])).resolved)
        #expect(Grader.grade(input(bare, f2p: ["a.py::t"])).resolved)
    }

    @Test("behaviour 72 and log gating: failure markers and timeouts → not applied, not resolved")
    func gating() {
        for marker in [EvalMarkers.applyFailed, EvalMarkers.resetFailed, EvalMarkers.testsErrored, EvalMarkers.testsTimedOut] {
            let report = Grader.grade(input(evalLog("PASSED a.py::t") + marker + "\n", f2p: ["a.py::t"]))
            #expect(!report.resolved)
            #expect(!report.patchSuccessfullyApplied)
            #expect(report.testsStatus == nil)
        }
        let timedOut = Grader.grade(input(evalLog("PASSED a.py::t"), f2p: ["a.py::t"], timedOut: true))
        #expect(!timedOut.resolved)
        #expect(timedOut.infraFailureReason == .testsTimedOut)
        let unapplied = Grader.grade(input(evalLog("PASSED a.py::t"), f2p: ["a.py::t"], applied: false))
        #expect(unapplied == InstanceReport(patchSuccessfullyApplied: false, resolved: false))
    }

    @Test("behaviour 73: a FAIL_TO_PASS test absent from the log fails")
    func absent() {
        let report = Grader.grade(input(evalLog("PASSED a.py::t"), f2p: ["a.py::t", "a.py::gone"]))
        #expect(!report.resolved)
        #expect(report.testsStatus?.failToPass.failure == ["a.py::gone"])
    }

    @Test("behaviour 74: XFAIL counts as passing")
    func xfail() {
        #expect(Grader.grade(input(evalLog("XFAIL tests/t.py::x - reason"), f2p: ["tests/t.py::x"])).resolved)
    }

    @Test("behaviour 75: a SKIPPED FAIL_TO_PASS fails under v5, is excluded under CWM; SKIPPED PASS_TO_PASS is maintained")
    func skipped() {
        let log = evalLog("SKIPPED tests/t.py::x\nPASSED tests/t.py::y\nSKIPPED tests/t.py::z")
        let v5 = Grader.grade(input(log, f2p: ["tests/t.py::x"]))
        #expect(!v5.resolved)
        #expect(v5.testsStatus?.failToPass.failure == ["tests/t.py::x"])
        let cwm = Grader(rules: .cwm).grade(input("Applied patch\n" + log, f2p: ["tests/t.py::x"]))
        #expect(cwm.resolved)
        #expect(cwm.testsStatus?.failToPass == .init())
        let p2p = Grader.grade(input(log, f2p: ["tests/t.py::y"], p2p: ["tests/t.py::z"]))
        #expect(p2p.resolved)
        #expect(p2p.testsStatus?.passToPass.success == ["tests/t.py::z"])
    }

    @Test("behaviour 76: empty FAIL_TO_PASS and PASS_TO_PASS with a parseable log → resolved")
    func emptyLists() throws {
        #expect(Grader.grade(input(try Fixtures.text("eval-pytest.log"))).resolved)
        #expect(Grader.grade(input(evalLog("PASSED a.py::t", exitCode: nil))).resolved)
    }

    @Test("an empty status map with no sign the suite ran is invalid; exit code 0 is such a sign")
    func emptyMap() {
        let noRun = Grader.grade(input(evalLog("bash: pytest: command not found", exitCode: 127)))
        #expect(!noRun.resolved)
        #expect(noRun.patchSuccessfullyApplied)
        #expect(noRun.infraFailureReason == .noTestsCollected)
        #expect(Grader.grade(input(evalLog("nothing", exitCode: nil))).infraFailureReason == .noTestsCollected)
        #expect(Grader.grade(input(evalLog("....", exitCode: 0))).resolved)
    }

    @Test("behaviours 77 and 78 through the grader")
    func parsersThroughGrader() {
        #expect(!Grader.grade(input(evalLog("FAILED tests/a.py::t - AssertionError", exitCode: 1), f2p: ["tests/a.py::t"])).resolved)
        let django = evalLog("test_x (app.tests.T) ... ok\nFAIL: test_y (app.tests.T)", exitCode: 1)
        let report = Grader.grade(input(django, f2p: ["test_x (app.tests.T)"], p2p: ["test_y"], parser: "django"))
        #expect(report.testsStatus?.failToPass.success == ["test_x (app.tests.T)"])
        #expect(report.testsStatus?.passToPass.failure == ["test_y"])
    }

    @Test("truncated parametrised ids prefix-match only when every candidate agrees")
    func truncatedIds() throws {
        let log = try Fixtures.text("pytest-v-color.log")
        let statuses = PytestV2LogParser().parse(log)
        #expect(Grader.status(of: t + "test_words[hello", in: statuses) == .passed)      // exact key (cut by the parser)
        #expect(Grader.status(of: t + "test_increment[1", in: statuses) == .passed)      // one candidate
        #expect(Grader.status(of: t + "test_paths[/", in: statuses) == .passed)          // three, all PASSED
        #expect(Grader.status(of: t + "test_increment[", in: statuses) == nil)           // PASSED and FAILED disagree
        #expect(Grader.status(of: t + "test_increment", in: statuses) == nil)            // not truncated: exact only
        let report = Grader.grade(input(log + "\n>>>>> Test Exit Code: 1\n", f2p: [t + "test_paths[/"],
                                        p2p: [t + "test_increment["], parser: "pytest_v2"))
        #expect(report.testsStatus?.failToPass.success == [t + "test_paths[/"])
        #expect(report.testsStatus?.passToPass.failure == [t + "test_increment["])
    }

    @Test("unknown parser → invalid, with the reason")
    func unknownParser() {
        let report = Grader.grade(input(evalLog("PASSED a.py::t"), parser: "nose"))
        #expect(!report.resolved)
        #expect(report.infraFailureReason == .unknownLogParser)
    }

    @Test("resolution levels: FULL, PARTIAL, NO; empty lists count as rate 1")
    func resolution() {
        #expect(Grader.resolution(of: TestsStatus()) == .full)
        #expect(Grader.resolution(of: TestsStatus(failToPass: .init(success: ["a"], failure: ["b"]))) == .partial)
        #expect(Grader.resolution(of: TestsStatus(failToPass: .init(failure: ["b"]))) == .no)
        #expect(Grader.resolution(of: TestsStatus(failToPass: .init(success: ["a"]), passToPass: .init(failure: ["c"]))) == .no)
    }

    @Test("report.json of a graded run")
    func reportJSON() throws {
        let report = Grader.grade(input(evalLog("PASSED a.py::t"), f2p: ["a.py::t"]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(["demo__calc-1": report]), as: UTF8.self)
        #expect(json == #"{"demo__calc-1":{"infra_failure":false,"patch_exists":true,"patch_is_None":false,"patch_successfully_applied":true,"resolved":true,"tests_status":{"FAIL_TO_FAIL":{"failure":[],"success":[]},"FAIL_TO_PASS":{"failure":[],"success":["a.py::t"]},"PASS_TO_FAIL":{"failure":[],"success":[]},"PASS_TO_PASS":{"failure":[],"success":[]}}}}"#)
    }
}
