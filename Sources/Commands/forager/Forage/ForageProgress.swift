import Foraging
import Foundation

/// `forager forage`'s progress in either mode: the phases, then kept / dropped beside done/total
/// and the ETA.
final class ForageProgress: @unchecked Sendable {
    private let status = LiveStatus(prefix: "forage")
    private let lock = NSLock()
    private var kept = 0, dropped = 0

    func handle(_ event: Forage.Event) {
        switch event {
        case .phase(let text):
            phase(text)
        case .reference(let passing, let total, let seconds):
            phase(String(format: "reference run: %d of %d tests pass (%.1f s)", passing, total, seconds))
        case .analyzed(let functions, let mutations, let byOperator):
            let ops = byOperator.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            phase("\(functions) candidate functions, \(mutations) mutations (\(ops))")
        case .validating(let total, let duplicates):
            begin(total: total, note: "validating \(total) mutations" + (duplicates > 0 ? " (\(duplicates) identical diffs dropped)" : ""))
        case .finished(let outcome):
            finished(outcome.id, reason: outcome.reason, seconds: outcome.seconds, kept: outcome.row != nil)
        }
    }

    func handle(_ event: IssueFix.Event) {
        switch event {
        case .phase(let text):
            phase(text)
        case .history(let scanned, let commits, let candidates):
            phase("\(scanned) commits scanned, \(commits) non-merge, \(candidates) change both source and tests")
        case .validating(let total):
            begin(total: total, note: "validating \(total) commits at their parents")
        case .finished(let report, _):
            finished(report.instanceID ?? report.commit, reason: report.reason, seconds: report.seconds, kept: report.kept)
        }
    }

    func finish() { status.finish(counts: lock.withLock { counts }) }

    private func phase(_ text: String) {
        Output.progress("forage: \(text)\n")
    }

    private func begin(total: Int, note: String) {
        status.begin(total: total, skipped: 0, note: note)
    }

    private func finished(_ id: String, reason: String, seconds: Double, kept isKept: Bool) {
        let tally = lock.withLock { () -> String in
            if isKept { kept += 1 } else { dropped += 1 }
            return counts
        }
        status.advance(String(format: "%@: %@ (%.1f s)", id, reason, seconds), counts: tally)
    }

    /// Read under the lock.
    private var counts: String { "\(kept) kept, \(dropped) dropped" }
}
