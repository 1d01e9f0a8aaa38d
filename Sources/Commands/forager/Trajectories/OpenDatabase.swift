import Foundation
import Trajectories

/// Opens a trajectory database that must already exist (commands that only read or add to one).
func openExistingStore(_ path: String) async throws -> TrajectoryStore {
    try requireDatabase(path)
    return try await TrajectoryStore.open(at: path)
}

/// Opens an existing trajectory database read-only (show, export, view, a --replay-run source):
/// such a command never migrates or writes, so a read-only file reads as well as any.
func openStoreForReading(_ path: String) async throws -> TrajectoryStore {
    try requireDatabase(path)
    return try await TrajectoryStore.openForReading(at: path)
}

private func requireDatabase(_ path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
        throw CommandFailure("No trajectory database at \(path); pass --db PATH (forager run writes forager.sqlite by default).")
    }
}
