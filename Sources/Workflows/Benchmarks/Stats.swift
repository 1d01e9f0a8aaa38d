import ForagerSupport
import Foundation

/// Percentiles of a list of durations, in milliseconds.
public struct Samples: Sendable {
    public private(set) var millis: [Double] = []

    public init() {}

    public mutating func add(_ d: Duration) {
        millis.append(d.milliseconds)
    }

    /// Nearest-rank percentile (p in 0...100); 0 when empty.
    public func percentile(_ p: Double) -> Double {
        guard !millis.isEmpty else { return 0 }
        let sorted = millis.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    public var p50: Double { percentile(50) }
    public var p95: Double { percentile(95) }
    public var p99: Double { percentile(99) }
}

/// Times `body`; the clock is the monotonic one.
public func measure(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}

/// Rounds for printing: 3 significant decimals below 10, one above.
public func rounded(_ x: Double) -> Double {
    x < 10 ? (x * 1000).rounded() / 1000 : (x * 10).rounded() / 10
}
