public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case running, finished, interrupted
    /// Ended, but some episode's outcome could not be recorded (a full disk): `--resume` completes it.
    case failed
}

public enum EpisodeStatus: String, Sendable, Codable, CaseIterable {
    case running, finished, failed
    case infraError = "infra_error"
    case interrupted

    /// Episodes in these states are done; `--resume` leaves them alone.
    public var isFinal: Bool { self == .finished || self == .failed }
}

/// Role of the message that carries an observation back to the model.
public enum ObservationRole: String, Sendable, Codable, CaseIterable {
    case tool, user
}
