/// Which release's rules grade a run: SWE-bench 4.1.0's or 5.0.2's harness, or CWM's grading
/// (Forager's parser rules, the `applied patch` gate).
public enum GradingMode: String, Sendable, CaseIterable, Codable {
    case sweBenchV4 = "swebench-v4"
    case sweBenchV5 = "swebench-v5"
    case cwm

    /// The mode for a row when none is asked for: v5 (classic rows and Forager's own rows alike).
    public static let standard = GradingMode.sweBenchV5

    /// The release whose eval script a classic row runs under this mode (CWM's grading runs v5's).
    public var scriptRelease: SWEBenchRelease { self == .sweBenchV4 ? .v4 : .v5 }
}

/// A SWE-bench harness release whose eval scripts Forager reproduces.
public enum SWEBenchRelease: String, Sendable, CaseIterable {
    case v4 = "4.1.0"
    case v5 = "5.0.2"
}
