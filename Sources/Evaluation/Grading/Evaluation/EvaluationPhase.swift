/// The timed phases of one evaluation, in order (`phase_seconds` keys in the run summary).
public enum EvaluationPhase: String, Sendable, Codable, CodingKeyRepresentable, CaseIterable {
    /// Creating and starting the grading container.
    case container
    /// Applying the prediction with the fallback cascade.
    case apply
    /// Running the hidden tests.
    case tests
    /// Grading the test log.
    case grade
}
