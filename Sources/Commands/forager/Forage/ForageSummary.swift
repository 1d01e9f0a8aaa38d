import Foraging
import Foundation
import Runner

/// What `forager forage` reports in either mode: `--json`'s object, and the closing table's rows
/// after the mode's own table.
struct ForageSummary: Encodable {
    var repo: String
    var image: String
    var runID: String
    var mode: ForageMode
    /// The commit the tasks were made at (mutate-fix: `base_commit`; issue-fix: `head`).
    var commit: String
    var candidates: Int
    var validated: Int
    var tasksFile: String
    var seconds: Double
    var secondsPerValidated: Double?
    var episodes: Int
    var resolved: Int
    var db: String?
    var details: Details
    /// The episodes' run, when there was one (not in the JSON, which has its counts).
    var report: RunCoordinator.Report?

    /// What only one mode reports.
    enum Details {
        case mutateFix(mutationsFound: Int, mutationsValidated: Int, families: [String], operators: [Forage.OperatorReport])
        case issueFix(scanned: Int, commits: [IssueFix.CommitReport])
    }

    init(spec: RepoSpec, runID: String, commit: String, candidates: Int, validated: Int, tasksFile: String, seconds: Double,
         secondsPerValidated: Double?, report: RunCoordinator.Report?, db: String, details: Details) {
        repo = spec.name
        image = spec.image
        self.runID = runID
        switch details {
        case .mutateFix: mode = .mutateFix
        case .issueFix: mode = .issueFix
        }
        self.commit = commit
        self.candidates = candidates
        self.validated = validated
        self.tasksFile = tasksFile
        self.seconds = seconds
        self.secondsPerValidated = secondsPerValidated
        episodes = report?.episodes ?? 0
        resolved = report?.resolved ?? 0
        self.db = report == nil ? nil : db
        self.details = details
        self.report = report
    }

    enum CodingKeys: String, CodingKey {
        case repo, image, runID = "run_id", mode, candidates, validated, tasksFile = "tasks_file", seconds
        case secondsPerValidated = "seconds_per_validated", episodes, resolved, db
        case baseCommit = "base_commit", mutationsFound = "mutations_found", mutationsValidated = "mutations_validated"
        case families, operators
        case head, scanned, commits
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(repo, forKey: .repo)
        try c.encode(image, forKey: .image)
        try c.encode(runID, forKey: .runID)
        try c.encode(mode, forKey: .mode)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(validated, forKey: .validated)
        try c.encode(tasksFile, forKey: .tasksFile)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(secondsPerValidated, forKey: .secondsPerValidated)
        try c.encode(episodes, forKey: .episodes)
        try c.encode(resolved, forKey: .resolved)
        try c.encodeIfPresent(db, forKey: .db)
        switch details {
        case .mutateFix(let found, let validated, let families, let operators):
            try c.encode(commit, forKey: .baseCommit)
            try c.encode(found, forKey: .mutationsFound)
            try c.encode(validated, forKey: .mutationsValidated)
            try c.encode(families, forKey: .families)
            try c.encode(operators, forKey: .operators)
        case .issueFix(let scanned, let commits):
            try c.encode(commit, forKey: .head)
            try c.encode(scanned, forKey: .scanned)
            try c.encode(commits, forKey: .commits)
        }
    }

    /// The closing table: the repository, the mode's `rows`, the time, files and episodes.
    func table(_ rows: [[String]], logsDir: String) -> String {
        var summary = [["repository", "\(repo) (\(image) at \(commit.prefix(12)))"]] + rows + [
            ["time", String(format: "%.0f s; %@ per validated task", seconds,
                            secondsPerValidated.map { String(format: "%.1f s", $0) } ?? "-")],
            ["tasks", tasksFile],
            ["logs", "\(logsDir)/forage/\(runID)/"],
        ]
        if let report {
            summary.append(["episodes", "\(report.episodes) (\(report.submitted) submitted, \(report.resolved) resolved, \(report.errors) errors)"])
            summary.append(["trajectories", "\(report.db) (forager export --run \(report.runID) --format cwm|mini|preds)"])
        }
        return Output.table(summary)
    }
}
