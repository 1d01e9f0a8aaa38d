import Foundation
import GRDB

/// The SQLite trajectory store: one WAL database, many concurrent readers, writes serialized by
/// GRDB. Every mutating call is one transaction, committed when it returns, so a crash loses
/// nothing already returned. Safe to share between tasks (one writer per episode is the pattern).
public final class TrajectoryStore: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens `path`, creating it if missing, and applies pending migrations.
    public static func open(at path: String) async throws(TrajectoryError) -> TrajectoryStore {
        let pool: DatabasePool
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw mapOpenError(error, path: path)
        }
        let store = TrajectoryStore(path: path, pool: pool)
        try await store.checkAndMigrate()
        return store
    }

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// The default database location: `forager.sqlite` in the working directory.
    public static var defaultPath: String {
        FileManager.default.currentDirectoryPath + "/forager.sqlite"
    }

    private func checkAndMigrate() async throws(TrajectoryError) {
        let path = self.path
        let migrator = Schema.migrator
        do {
            try await pool.barrierWriteWithoutTransaction { db in
                let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                if applicationID != Schema.applicationID {
                    if applicationID != 0 {
                        throw TrajectoryError.notAForagerDatabase(
                            path: path, reason: "application_id is \(applicationID), not Forager's")
                    }
                    if !tables.isEmpty {
                        throw TrajectoryError.notAForagerDatabase(
                            path: path, reason: "it has other tables (\(tables.sorted().joined(separator: ", ")))")
                    }
                }
                if try migrator.hasBeenSuperseded(db) {
                    let known = Set(migrator.migrations)
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
                    throw TrajectoryError.newerSchema(path: path, unknownMigrations: unknown)
                }
            }
            // Checked first so a foreign or newer file is never touched.
            try migrator.migrate(pool)
        } catch {
            throw Self.mapOpenError(error, path: path)
        }
    }

    private static func mapOpenError(_ error: any Error, path: String) -> TrajectoryError {
        if let error = error as? TrajectoryError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_NOTADB {
            return .notAForagerDatabase(path: path, reason: "not an SQLite file")
        }
        return .database(operation: "opening \(path)", message: "\(error)")
    }

    /// Runs `body` in one write transaction; TrajectoryErrors pass through, SQLite errors are
    /// wrapped with `operation`.
    func write<T: Sendable>(_ operation: String,
                            _ body: @escaping @Sendable (Database) throws -> T) async throws(TrajectoryError) -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw Self.wrap(error, operation: operation)
        }
    }

    func read<T: Sendable>(_ operation: String,
                           _ body: @escaping @Sendable (Database) throws -> T) async throws(TrajectoryError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw Self.wrap(error, operation: operation)
        }
    }

    private static func wrap(_ error: any Error, operation: String) -> TrajectoryError {
        if let error = error as? TrajectoryError { return error }
        if let error = error as? DatabaseError {
            return .database(operation: operation, message: error.message ?? "\(error)")
        }
        return .database(operation: operation, message: "\(error)")
    }
}
