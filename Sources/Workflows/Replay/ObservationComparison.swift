import Trajectories

/// The verdict on one replayed observation against the recorded one.
public enum ObservationComparison {
    /// Exact when identical, normalized when identical after `VolatileNormalizer`, otherwise a
    /// mismatch with the line diff of the normalized texts (volatile noise left out).
    public static func compare(index: Int, recorded: String?, replayed: String?) -> ReplayStep {
        if recorded == replayed {
            return ReplayStep(index: index, status: .exact, recorded: recorded, replayed: replayed)
        }
        let old = VolatileNormalizer.normalize(recorded ?? "")
        let new = VolatileNormalizer.normalize(replayed ?? "")
        if recorded != nil, replayed != nil, old == new {
            return ReplayStep(index: index, status: .normalized, recorded: recorded, replayed: replayed)
        }
        var diff = LineDiff.unified(old, new)
        if diff.isEmpty {
            diff = recorded == nil ? "(no observation was recorded for this step)" : "(the replay produced no observation)"
        }
        return ReplayStep(index: index, status: .mismatch, recorded: recorded, replayed: replayed, diff: diff)
    }
}
