import Foundation

/// How a replay re-ran an episode.
public enum ReplayMode: String, Sendable, Codable, CaseIterable {
    /// The recorded tool calls, run again in a fresh sandbox.
    case exec
    /// The whole agent loop, driven by the recorded model outputs, and the patch graded again.
    case model
}

/// How one replayed observation compares with the recorded one.
public enum ReplayStepStatus: String, Sendable, Codable, CaseIterable {
    /// Identical text.
    case exact
    /// Identical once volatile values (timestamps, PIDs, temporary paths, durations) are normalized.
    case normalized
    case mismatch

    /// Exact and normalized both count toward the determinism score.
    public var isMatch: Bool { self != .mismatch }
}

/// One replay of one attempt of an episode (`forager replay`), stored beside the episode.
public struct Replay: Sendable, Equatable {
    public var id: String
    public var episodeID: String
    /// The episode attempt whose steps were replayed.
    public var attempt: Int
    public var mode: ReplayMode
    public var createdAt: Date
    public var steps: Int
    public var matched: Int
    public var mismatched: Int
    /// Determinism score: matched / steps (1 when there are no steps).
    public var score: Double
    /// Model mode: the verdict of grading the replayed patch again; nil otherwise or when not graded.
    public var passed: Bool?
    /// A note, e.g. why the replay stopped early or how the replayed patch differs.
    public var detail: String?

    public init(id: String = Replay.generateID(), episodeID: String, attempt: Int, mode: ReplayMode,
                createdAt: Date = Date(), steps: Int, matched: Int, mismatched: Int, score: Double,
                passed: Bool? = nil, detail: String? = nil) {
        self.id = id
        self.episodeID = episodeID
        self.attempt = attempt
        self.mode = mode
        self.createdAt = createdAt
        self.steps = steps
        self.matched = matched
        self.mismatched = mismatched
        self.score = score
        self.passed = passed
        self.detail = detail
    }

    /// `replay-<random hex>`.
    public static func generateID() -> String {
        "replay-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }
}

/// The verdict on one replayed step.
public struct ReplayStep: Sendable, Equatable {
    /// The step index in the replayed attempt (`steps.step_index`).
    public var index: Int
    public var status: ReplayStepStatus
    /// The recorded observation (nil when the step had none).
    public var recorded: String?
    /// The replayed observation (nil when the replay produced none, e.g. it ended early).
    public var replayed: String?
    /// Line diff recorded → replayed for a mismatch (nil when the step matched).
    public var diff: String?

    public init(index: Int, status: ReplayStepStatus, recorded: String?, replayed: String?, diff: String? = nil) {
        self.index = index
        self.status = status
        self.recorded = recorded
        self.replayed = replayed
        self.diff = diff
    }
}
