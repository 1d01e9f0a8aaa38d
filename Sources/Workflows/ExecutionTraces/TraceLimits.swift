/// The tracer's bounds (its `--max-*` options); a trace that reaches one is cut and says which.
public struct TraceLimits: Sendable, Equatable {
    /// Frames per trace (CWM's report drops traces past 10,000 line events).
    public var events: Int = 10_000
    /// Bytes of frames per trace (CWM: 1 MB).
    public var bytes: Int = 1_000_000
    /// Seconds of tracing per trace.
    public var seconds: Double = 10
    /// Nested calls below the entry.
    public var depth: Int = 64
    /// Characters of one rendered value before it is cut (then "…").
    public var valueChars: Int = 512
    /// Seconds one user-defined `__repr__` may run.
    public var reprSeconds: Double = 0.2

    public init() {}

    public var arguments: [String] {
        ["--max-events", "\(events)", "--max-bytes", "\(bytes)", "--max-seconds", "\(seconds)", "--max-depth", "\(depth)",
         "--value-chars", "\(valueChars)", "--repr-seconds", "\(reprSeconds)"]
    }
}
