extension Duration {
    /// The duration in seconds, as the loop's records and model timings store it.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Seconds since `start` on the continuous clock.
func seconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).inSeconds
}
