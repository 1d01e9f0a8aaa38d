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
        let progress = ForageProgress()
        let rowsFile = try TaskRowsFile(path: tasksFile)
        var result = try await issueFix.run { event in
            progress.handle(event)
            if case .finished(_, let row?) = event { rowsFile.append(row) }
        }
        progress.finish()

        var report: RunCoordinator.Report?
        if let (finished, solvedIDs) = try await writeAndRunEpisodes(result.rows, spec: spec, runID: runID, rowsFile: rowsFile,
                                                                     client: client) {
            report = finished
            for i in result.commits.indices {
                result.commits[i].solved = result.commits[i].instanceID.map(solvedIDs.contains) ?? false
            }
        }

        let summary = ForageSummary(
            spec: spec, runID: runID, commit: result.head, candidates: result.candidates, validated: result.rows.count,
            tasksFile: tasksFile, seconds: result.seconds, secondsPerValidated: result.secondsPerValidated, report: report, db: db,
            details: .issueFix(scanned: result.scanned, commits: result.commits))
        if json { return try Output.json(summary) }
        var table = [["commit", "summary", "source", "tests", "F2P", "P2P", "kept", "solved", "reason"]]
        for c in result.commits {
            table.append([String(c.commit.prefix(8)), String(c.summary.prefix(40)), "\(c.sourceFiles.count)", "\(c.testFiles.count)",
                          c.candidate ? "\(c.failToPass)" : "-", c.candidate ? "\(c.passToPass)" : "-", c.kept ? "yes" : "no",
                          samples > 0 && c.kept ? (c.solved ? "yes" : "no") : "-", c.reason])
        }
        print(Output.table(table))
        print("")
        print(summary.table([
            ["commits", "\(result.scanned) scanned, \(result.candidates) change source and tests"],
            ["validated tasks", "\(result.rows.count)"],
        ], logsDir: logsDir))
    }
}
