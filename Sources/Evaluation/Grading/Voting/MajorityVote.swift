/// One sampled solution of an instance: what CWM's `tts_majority_voting.py` reads from a
/// trajectory (first transition's `instance_id`, last transition's `pred_patch` and `pass`).
public struct VoteSample: Sendable, Equatable {
    public var instanceID: String
    /// The submitted patch; "" when missing or null.
    public var patch: String
    public var passed: Bool

    public init(instanceID: String, patch: String, passed: Bool) {
        self.instanceID = instanceID
        self.patch = patch
        self.passed = passed
    }
}

/// One output row: a SWE-bench prediction plus the vote's `occurrences` and `passing`.
public struct VotedPrediction: Codable, Sendable, Equatable {
    public var modelNameOrPath: String
    public var instanceID: String
    public var modelPatch: String
    public var occurrences: Int
    public var passing: Bool

    public init(modelNameOrPath: String, instanceID: String, modelPatch: String, occurrences: Int, passing: Bool) {
        self.modelNameOrPath = modelNameOrPath
        self.instanceID = instanceID
        self.modelPatch = modelPatch
        self.occurrences = occurrences
        self.passing = passing
    }

    enum CodingKeys: String, CodingKey {
        case modelNameOrPath = "model_name_or_path", instanceID = "instance_id", modelPatch = "model_patch"
        case occurrences, passing
    }
}

/// A patch whose recorded outcomes disagree.
public struct FlakyPatch: Sendable, Equatable {
    public var instanceID: String
    public var patch: String
    public var outcomes: [Bool]
}

public struct MajorityVoteResult: Sendable, Equatable {
    /// One row per instance with at least one non-empty patch, in first-seen instance order.
    public var predictions: [VotedPrediction]
    /// Every instance seen, including those with only empty patches.
    public var instanceCount: Int
    public var flaky: [FlakyPatch]

    public var passingCount: Int { predictions.filter(\.passing).count }
    /// Passing instances over all instances seen (0 when none were seen; Python divides by zero).
    public var score: Double { instanceCount == 0 ? 0 : Double(passingCount) / Double(instanceCount) }
}

/// CWM's simple majority voting (`tts_majority_voting.py`, spec §6).
public enum MajorityVote {
    public static let defaultModelName = "cwm-tts-majority-voting"

    /// Groups samples by instance (first-seen order), seeds Python's `random` with the model name and
    /// shuffles each instance's list in turn, keeps the first `maxSamples` (nil or ≤ 0: all), skips
    /// empty patches, and picks the most common exact patch, ties going to the first seen. The
    /// instance passes iff more than half of the winner's outcomes passed.
    public static func vote(_ samples: [VoteSample], modelNameOrPath: String = defaultModelName,
                            maxSamples: Int? = nil) -> MajorityVoteResult {
        var order: [String] = []
        var groups: [ExactString: [VoteSample]] = [:]
        for sample in samples {
            let key = ExactString(sample.instanceID)
            if groups[key] == nil { order.append(sample.instanceID) }
            groups[key, default: []].append(sample)
        }
        var random = PythonRandom(seed: modelNameOrPath)
        for id in order { random.shuffle(&groups[ExactString(id), default: []]) }

        var predictions: [VotedPrediction] = []
        var flaky: [FlakyPatch] = []
        for id in order {
            var results = groups[ExactString(id)] ?? []
            if let maxSamples, maxSamples > 0, results.count > maxSamples { results = Array(results.prefix(maxSamples)) }
            var patches: [String] = []
            var outcomes: [ExactString: [Bool]] = [:]
            for result in results where !result.patch.isEmpty {
                let key = ExactString(result.patch)
                if outcomes[key] == nil { patches.append(result.patch) }
                outcomes[key, default: []].append(result.passed)
            }
            for patch in patches {
                let list = outcomes[ExactString(patch)] ?? []
                if Set(list).count > 1 { flaky.append(FlakyPatch(instanceID: id, patch: patch, outcomes: list)) }
            }
            // Counter.most_common(1): max() keeps the first of equal counts, in insertion order.
            var winner: (patch: String, outcomes: [Bool])?
            for patch in patches {
                let list = outcomes[ExactString(patch)] ?? []
                if list.count > (winner?.outcomes.count ?? 0) { winner = (patch, list) }
            }
            guard let winner else { continue }
            let passes = winner.outcomes.filter { $0 }.count
            predictions.append(VotedPrediction(
                modelNameOrPath: modelNameOrPath, instanceID: id, modelPatch: winner.patch,
                occurrences: winner.outcomes.count,
                passing: Double(passes) > Double(winner.outcomes.count) / 2))
        }
        return MajorityVoteResult(predictions: predictions, instanceCount: order.count, flaky: flaky)
    }
}
