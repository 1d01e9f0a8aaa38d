/// Where `forager forage` finds its tasks.
public enum ForageMode: String, Sendable, Codable, CaseIterable {
    /// Mutations of the code at HEAD, validated by the tests (`Forage`).
    case mutateFix = "mutate-fix"
    /// Commits of the history that change both source and tests (`IssueFix`).
    case issueFix = "issue-fix"
}
