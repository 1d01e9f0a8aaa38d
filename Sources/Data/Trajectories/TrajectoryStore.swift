import Foundation
import GRDB

/// The SQLite trajectory store: one WAL database, many concurrent readers, writes serialized by
/// GRDB. Every mutating call is one transaction, committed when it returns, so a crash loses
/// nothing already returned. Safe to share between tasks (one writer per episode is the pattern).
public final class TrajectoryStore: Sendable {
    public let path: String
    /// A `DatabasePool`; a read-only store may be a `DatabaseQueue` on an immutable file.
    let pool: any DatabaseWriter

    /// Opens `path`, creating it if missing, and applies pending migrations (once, under SQLite's
    /// write lock, whoever else opens the file at the same moment).
    public static func open(at path: String) async throws(TrajectoryError) -> TrajectoryStore {
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration(readOnly: false))
        } catch {
            throw mapOpenError(error, path: path)
        }
        let store = TrajectoryStore(path: path, pool: pool)
        try await store.checkAndMigrate()
        return store
    }

    /// Opens an existing store for reading only (`show`, `export`, `view`): it never migrates
    /// and never writes, so a read-only file or directory can be read. A file with migrations
    /// still to apply is refused with a message saying so.
    public static func openForReading(at path: String) async throws(TrajectoryError) -> TrajectoryStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .database(operation: "opening \(path) for reading", message: "no such file")
        }
        do {
            let store = TrajectoryStore(path: path, pool: try DatabasePool(path: path, configuration: configuration(readOnly: true)))
            try await store.checkReadable()
            return store
        } catch {
            if case .some(.newerSchema) = error as? TrajectoryError { throw mapOpenError(error, path: path) }
            if case .some(.notAForagerDatabase) = error as? TrajectoryError { throw mapOpenError(error, path: path) }
        }
        // A WAL file in a directory this process cannot write (no -shm beside it): read it as an
        // immutable file, which needs no lock files.
        do {
            let uri = "file:\(path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path)?immutable=1"
            let store = TrajectoryStore(path: path, pool: try DatabaseQueue(path: uri, configuration: configuration(readOnly: true)))
            try await store.checkReadable()
            return store
        } catch {
            throw mapOpenError(error, path: path)
        }
    }

    private static func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.readonly = readOnly
        if !readOnly {
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        return configuration
    }

    private init(path: String, pool: any DatabaseWriter) {
        self.path = path
        self.pool = pool
    }

    /// The default database location: `forager.sqlite` in the working directory.
    public static var defaultPath: String {
        FileManager.default.currentDirectoryPath + "/forager.sqlite"
    }

    /// The file is Forager's (or new) and no newer than this build. Checked first so a foreign or
    /// newer file is never touched.
    private static func checkForeignOrNewer(_ db: Database, path: String) throws {
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
        let migrator = Schema.migrator
        if try db.tableExists("grdb_migrations"), try migrator.hasBeenSuperseded(db) {
            let known = Set(migrator.migrations)
            let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
            throw TrajectoryError.newerSchema(path: path, unknownMigrations: unknown)
        }
    }

    /// Check and migrations in one immediate transaction: the second of two processes opening a
    /// new file waits for the first one's migrations and then finds nothing to do.
    private func checkAndMigrate() async throws(TrajectoryError) {
        let path = self.path
        do {
            try await pool.barrierWriteWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try Self.checkForeignOrNewer(db, path: path)
                    try Schema.migrate(db)
                    return .commit
                }
            }
        } catch {
            throw Self.mapOpenError(error, path: path)
        }
    }

    private func checkReadable() async throws(TrajectoryError) {
        let path = self.path
        do {
            try await pool.read { db in
                try Self.checkForeignOrNewer(db, path: path)
                let applied = (try? db.tableExists("grdb_migrations")) == true
                    ? Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) : []
                let missing = Schema.migrations.map(\.id).filter { !applied.contains($0) }
                if !missing.isEmpty {
                    throw TrajectoryError.database(
                        operation: "opening \(path) for reading",
                        message: "it lacks the migrations \(missing.joined(separator: ", ")) (a new or older file); "
                            + "a writing command (forager run) applies them")
                }
            }
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
