import Foundation
import Trajectories

/// Opens a trajectory database that must already exist (commands that only read or add to one).
func openExistingStore(_ path: String) async throws -> TrajectoryStore {
    guard FileManager.default.fileExists(atPath: path) else {
        throw CommandFailure("No trajectory database at \(path); pass --db PATH (forager run writes forager.sqlite by default).")
    }
    return try await TrajectoryStore.open(at: path)
}
