import Foundation
import Testing
@testable import Grading

@Suite("Grading contract")
struct GradingContractTests {
    @Test("infrastructure-failure reasons and phase names are closed sets with the report's and summary's strings")
    func closedSetsKeepTheirStrings() throws {
        #expect(InfraFailureReason.allCases.map(\.rawValue) == [
            "tests_timed_out", "no_tests_collected", "test_exit_code_mismatch", "unknown_log_parser",
            "image_missing", "engine_unavailable", "container_unavailable", "base_commit_failed", "bug_patch_failed", "repo_root_missing",
        ])
        #expect(InfraFailureReason.allCases.filter(\.isInfrastructure) == [.imageMissing, .engineUnavailable, .containerUnavailable, .repoRootMissing])
        let report = InstanceReport(patchSuccessfullyApplied: false, resolved: false, infraFailure: true, infraFailureReason: .imageMissing)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(json.contains(#""infra_failure_reason":"image_missing""#))
        #expect(try JSONDecoder().decode(InstanceReport.self, from: Data(json.utf8)) == report)

        #expect(EvaluationPhase.allCases.map(\.rawValue) == ["container", "apply", "tests", "grade"])
        let phases = try JSONEncoder().encode([EvaluationPhase.container: 1.5, .tests: 2])
        #expect(try JSONSerialization.jsonObject(with: phases) as? [String: Double] == ["container": 1.5, "tests": 2],
                "phase_seconds stays an object keyed by phase name")
        #expect(try JSONDecoder().decode([EvaluationPhase: Double].self, from: phases) == [.container: 1.5, .tests: 2])
    }

    @Test("report.json keys are SWE-bench's")
    func reportKeys() throws {
        let report = InstanceReport(patchSuccessfullyApplied: true, resolved: false,
                                    testsStatus: TestsStatus(failToPass: .init(success: ["a"], failure: ["b"])))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(json == #"{"patch_exists":true,"patch_is_None":false,"patch_successfully_applied":true,"resolved":false,"tests_status":{"FAIL_TO_FAIL":{"failure":[],"success":[]},"FAIL_TO_PASS":{"failure":["b"],"success":["a"]},"PASS_TO_FAIL":{"failure":[],"success":[]},"PASS_TO_PASS":{"failure":[],"success":[]}}}"#)
    }
}
