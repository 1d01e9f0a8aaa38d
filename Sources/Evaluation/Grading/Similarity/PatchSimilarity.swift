/// One file's entry in the similarity outcomes (`ChangeSimilarity`).
public struct ChangeSimilarity: Codable, Sendable, Equatable {
    public var path: String
    public var predChange: String
    public var oracleChange: String
    public var similarity: Double

    public init(path: String, predChange: String, oracleChange: String, similarity: Double) {
        self.path = path
        self.predChange = predChange
        self.oracleChange = oracleChange
        self.similarity = similarity
    }

    enum CodingKeys: String, CodingKey {
        case path, predChange = "pred_change", oracleChange = "oracle_change", similarity
    }
}

/// `calculate_similarities_unidiff`'s result.
public struct PatchSimilarityResult: Sendable, Equatable {
    public var similarities: [ChangeSimilarity]
    public var predPatch: NormalizedPatch
    public var oraclePatch: NormalizedPatch

    /// The mean similarity (`sum(...) / len(...)`), nil when there are no files.
    public var meanSimilarity: Double? {
        similarities.isEmpty ? nil : similarities.reduce(0.0) { $0 + $1.similarity } / Double(similarities.count)
    }
}

/// CWM's SWE-RL patch-similarity computation (spec §4.6).
public enum PatchSimilarity {
    /// Merges each side's normalized patches by dict update, drops predicted files the oracle does
    /// not touch (when `ignoreNonOracleFiles`, as CWM's env calls it), and scores every path in the
    /// union: 0.0 if either side is empty, else `SequenceMatcher(None, pred, oracle).ratio()`.
    ///
    /// Python iterates the union as a `set`, whose order depends on the string hash seed; here it is
    /// the oracle's paths in order, then the remaining predicted ones.
    public static func calculate(oraclePatches: [String], predictedPatches: [String],
                                 ignoreNonOracleFiles: Bool = true) throws(UnifiedDiffError) -> PatchSimilarityResult {
        var oracle = NormalizedPatch()
        var predicted = NormalizedPatch()
        for patch in oraclePatches { oracle.update(with: try NormalizedPatch(normalizing: patch)) }
        for patch in predictedPatches { predicted.update(with: try NormalizedPatch(normalizing: patch)) }
        if ignoreNonOracleFiles {
            var kept = NormalizedPatch()
            for (path, change) in predicted.entries where oracle[path] != nil { kept[path] = change }
            predicted = kept
        }
        var union = oracle.paths
        var seen = Set(union.map(ExactString.init))
        for path in predicted.paths where seen.insert(ExactString(path)).inserted { union.append(path) }
        let similarities = union.map { path in
            let pred = predicted[path] ?? ""
            let orig = oracle[path] ?? ""
            let similarity = pred.isEmpty || orig.isEmpty ? 0.0 : SequenceMatcher(pred, orig).ratio()
            return ChangeSimilarity(path: path, predChange: pred, oracleChange: orig, similarity: similarity)
        }
        return PatchSimilarityResult(similarities: similarities, predPatch: predicted, oraclePatch: oracle)
    }

    /// `difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()`.
    public static func ratio(_ a: String, _ b: String) -> Double { SequenceMatcher(a, b).ratio() }
}
