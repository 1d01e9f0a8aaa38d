/// The similarity part of a terminal transition's outcomes (spec §4.6):
/// `{similarities, pred_patch_dict, oracle_patch_dict, threshold}`.
public struct SimilarityOutcomes: Sendable, Equatable {
    public var result: PatchSimilarityResult
    public var threshold: Double

    public init(result: PatchSimilarityResult, threshold: Double) {
        self.result = result
        self.threshold = threshold
    }

    /// CWM's `get_swerl_outcomes`: the similarity of a submitted patch to the gold patch. nil where
    /// CWM's computation raises (its outcomes then hold only `pass: false` and the threshold, and the
    /// reward is −1 for a failed run).
    public static func swerl(oraclePatch: String, predictedPatch: String, threshold: Double) -> SimilarityOutcomes? {
        guard let result = try? PatchSimilarity.calculate(oraclePatches: [oraclePatch], predictedPatches: [predictedPatch],
                                                          ignoreNonOracleFiles: true) else { return nil }
        return SimilarityOutcomes(result: result, threshold: threshold)
    }
}

extension SimilarityOutcomes: Encodable {
    enum CodingKeys: String, CodingKey {
        case similarities, predPatchDict = "pred_patch_dict", oraclePatchDict = "oracle_patch_dict", threshold
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(result.similarities, forKey: .similarities)
        try c.encode(Dictionary(result.predPatch.entries, uniquingKeysWith: { $1 }), forKey: .predPatchDict)
        try c.encode(Dictionary(result.oraclePatch.entries, uniquingKeysWith: { $1 }), forKey: .oraclePatchDict)
        try c.encode(threshold, forKey: .threshold)
    }
}

/// The reward functions that read these outcomes.
public enum SimilarityReward: Sendable {
    /// `similarities` (scale 1) or `similarities_2` (scale 2).
    case similarities(scale: Double)
    /// `pass_only`: +1 for a pass, −1 otherwise.
    case passOnly

    public static let similarities1 = SimilarityReward.similarities(scale: 1)
    public static let similarities2 = SimilarityReward.similarities(scale: 2)

    public enum Failure: Error, Sendable, Equatable {
        /// The transition's outcomes have no `pass` key (CWM's similarity-only mode: its reward
        /// function raises a KeyError there).
        case missingPass
    }

    /// The range the reward function declares.
    public var range: ClosedRange<Double> {
        switch self {
        case .similarities(let scale): -1.0...(-1.0 + scale)
        case .passOnly: -1.0...1.0
        }
    }

    /// The reward of one transition. Non-terminal transitions get 0.
    /// - Parameters:
    ///   - passed: the `pass` outcome (nil when absent).
    ///   - similarity: the similarity outcomes, when they were merged in.
    public func reward(terminal: Bool, passed: Bool?, similarity: SimilarityOutcomes?) throws(Failure) -> Double {
        guard terminal else { return 0.0 }
        guard let passed else { throw .missingPass }
        switch self {
        case .passOnly:
            return passed ? 1.0 : -1.0
        case .similarities(let scale):
            if passed { return -1.0 + scale }
            guard let similarity else { return -1.0 }
            guard let mean = similarity.result.meanSimilarity else { return -1.0 }
            return mean >= similarity.threshold ? -1.0 + similarity.threshold * scale : -1.0
        }
    }

    /// `reward_unroll`: zeros on every action token but the last, which carries the reward.
    public static func unroll(actionTokenCount: Int, reward: Double) -> [Double] {
        guard actionTokenCount > 0 else { return [] }
        return Array(repeating: 0.0, count: actionTokenCount - 1) + [reward]
    }
}
