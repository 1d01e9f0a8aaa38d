import ForagerSupport

/// Seconds since `start` on the continuous clock, as the loop's records and model timings store it.
func seconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).seconds
}
