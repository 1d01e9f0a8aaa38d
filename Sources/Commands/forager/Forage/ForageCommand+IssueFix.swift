import DockerEngine
import Foraging
import Foundation
import Runner
import Tasks

extension ForageCommand {
    /// `--mode issue-fix`: tasks from the history's commits, a per-commit report, then episodes.
    func runIssueFix(spec: RepoSpec, runID: String, tasksFile: String, client: DockerClient) async throws {
        let issueFix = IssueFix(client: client, spec: spec, options: .init(
            workers: workers, runID: runID, logsDirectory: URL(fileURLWithPath: logsDir), testTimeout: testTimeout,
            goldCheck: !noGoldCheck), gitDirectory: gitDir)
        let progress = IssueFixProgress()
        var result = try await issueFix.run { progress.handle($0) }
        progress.finish()
        try write(result.rows, to: tasksFile)

        var report: RunCoordinator.Report?
        if let (finished, solvedIDs) = try await runEpisodes(result.rows, spec: spec, runID: runID, tasksFile: tasksFile, client: client) {
            report = finished
            for i in result.commits.indices {
                result.commits[i].solved = result.commits[i].instanceID.map(solvedIDs.contains) ?? false
            }
        }

        if json {
            try Output.json(IssueFixSummary(
                repo: spec.name, image: spec.image, runID: runID, mode: "issue-fix", head: result.head, scanned: result.scanned,
                candidates: result.candidates, validated: result.rows.count, tasksFile: tasksFile, seconds: result.seconds,
                secondsPerValidated: result.secondsPerValidated, episodes: report?.episodes ?? 0, resolved: report?.resolved ?? 0,
                db: report == nil ? nil : db, commits: result.commits))
            return
        }
        var table = [["commit", "summary", "source", "tests", "F2P", "P2P", "kept", "solved", "reason"]]
        for c in result.commits {
            table.append([String(c.commit.prefix(8)), String(c.summary.prefix(40)), "\(c.sourceFiles.count)", "\(c.testFiles.count)",
                          c.candidate ? "\(c.failToPass)" : "-", c.candidate ? "\(c.passToPass)" : "-", c.kept ? "yes" : "no",
                          samples > 0 && c.kept ? (c.solved ? "yes" : "no") : "-", c.reason])
        }
        print(Output.table(table))
        print("")
        var summary = [
            ["repository", "\(spec.name) (\(spec.image) at \(result.head.prefix(12)))"],
            ["commits", "\(result.scanned) scanned, \(result.candidates) change source and tests"],
            ["validated tasks", "\(result.rows.count)"],
            ["time", String(format: "%.0f s; %@ per validated task", result.seconds,
                            result.secondsPerValidated.map { String(format: "%.1f s", $0) } ?? "-")],
            ["tasks", tasksFile],
            ["logs", "\(logsDir)/forage/\(runID)/"],
        ]
        if let report {
            summary.append(["episodes", "\(report.episodes) (\(report.submitted) submitted, \(report.resolved) resolved, \(report.errors) errors)"])
            summary.append(["trajectories", "\(report.db) (forager export --run \(report.runID) --format cwm|mini|preds)"])
        }
        print(Output.table(summary))
    }
}

struct IssueFixSummary: Encodable {
    let repo: String, image: String, runID: String, mode: String, head: String
    let scanned: Int, candidates: Int, validated: Int
    let tasksFile: String, seconds: Double, secondsPerValidated: Double?
    let episodes: Int, resolved: Int, db: String?
    let commits: [IssueFix.CommitReport]

    enum CodingKeys: String, CodingKey {
        case repo, image, runID = "run_id", mode, head, scanned, candidates, validated, tasksFile = "tasks_file", seconds
        case secondsPerValidated = "seconds_per_validated", episodes, resolved, db, commits
    }
}

/// `forager forage --mode issue-fix`'s progress: the phases, then kept / dropped per candidate.
final class IssueFixProgress: @unchecked Sendable {
    private let status = LiveStatus(prefix: "forage")
    private let lock = NSLock()
    private var kept = 0, dropped = 0

    func handle(_ event: IssueFix.Event) {
        switch event {
        case .phase(let text):
            Output.progress("forage: \(text)\n")
        case .history(let scanned, let commits, let candidates):
            Output.progress("forage: \(scanned) commits scanned, \(commits) non-merge, \(candidates) change both source and tests\n")
        case .validating(let total):
            status.begin(total: total, skipped: 0, note: "validating \(total) commits at their parents")
        case .finished(let report):
            let counts = lock.withLock { () -> String in
                if report.kept { kept += 1 } else { dropped += 1 }
                return "\(kept) kept, \(dropped) dropped"
            }
            status.advance(String(format: "%@: %@ (%.1f s)", report.instanceID ?? report.commit, report.reason, report.seconds), counts: counts)
        }
    }

    func finish() { status.finish(counts: lock.withLock { "\(kept) kept, \(dropped) dropped" }) }
}
