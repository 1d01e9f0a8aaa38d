import Foundation
import Tasks

/// A forage run's tasks file: each row is appended (and synced) the moment it is kept, so a run
/// stopped by a signal, a time cap or a dead engine keeps every row it validated; at the end the
/// file is rewritten in the run's order (a temporary file renamed over it).
final class TaskRowsFile: @unchecked Sendable {
    let path: String
    private let lock = NSLock()
    private var handle: FileHandle?
    private var appendFailure: String?

    /// Creates (or empties) the file.
    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("cannot write the tasks to \(path): the file cannot be created")
        }
        self.handle = handle
    }

    /// Appends one kept row; a failure is reported by `finish`.
    func append(_ row: TaskRow) {
        let line = Data(Self.line(row).utf8)
        lock.withLock {
            guard let handle, appendFailure == nil else { return }
            do {
                try handle.write(contentsOf: line)
                try handle.synchronize()
            } catch {
                appendFailure = error.localizedDescription
            }
        }
    }

    /// One row as its JSONL line.
    private static func line(_ row: TaskRow) -> String { JSONValue.object(row.jsonObject).encoded() + "\n" }

    /// Writes every row in order in place of what was appended.
    func finish(_ rows: [TaskRow]) throws {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
        let text = rows.map(Self.line).joined()
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            let earlier = lock.withLock { appendFailure }.map { " (appending a row had failed too: \($0))" } ?? ""
            throw CommandFailure("cannot write the tasks to \(path): \(error.localizedDescription)\(earlier)")
        }
    }
}
