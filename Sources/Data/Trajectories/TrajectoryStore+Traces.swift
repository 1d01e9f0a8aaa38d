import Foundation
import GRDB

/// A stored trace without its frames (listings).
public struct TraceSummary: Sendable, Equatable {
    public var id: String
    public var batch: String
    public var kind: TraceKind
    public var repo: String?
    public var taskID: String?
    public var variant: String?
    public var test: String?
    public var file: String
    public var function: String
    public var cut: String?
    public var events: Int
    public var seconds: Double
}

extension TrajectoryStore {
    /// Stores traces and their frames in one transaction; an id already stored is replaced.
    public func recordTraces(_ traces: [TraceRecord]) async throws(TrajectoryError) {
        for t in traces where t.id.isEmpty || t.batch.isEmpty {
            throw .invalidValue(field: t.id.isEmpty ? "id" : "batch", owner: "trace of \(t.function)", reason: "empty")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        try await write("recording \(traces.count) traces") { db in
            for t in traces {
                try db.execute(sql: "DELETE FROM traces WHERE id = ?", arguments: [t.id])
                try db.execute(sql: """
                    INSERT INTO traces (id, batch, kind, repo, commit_sha, task_id, variant, test, file, function, line,
                                        code_line, entry_call, context, cut, events, seconds, untraced_seconds, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [t.id, t.batch, t.kind.rawValue, t.repo, t.commit, t.taskID, t.variant, t.test, t.file,
                                     t.function, t.line, t.codeLine, t.entryCall, t.context, t.cut, t.frames.count, t.seconds, t.untracedSeconds,
                                     t.createdAt.timeIntervalSince1970])
                for (i, f) in t.frames.enumerated() {
                    let locals = try f.locals.map { String(decoding: try encoder.encode($0.map { [$0.name, $0.value] }), as: UTF8.self) }
                    try db.execute(sql: """
                        INSERT INTO trace_frames (trace_id, frame_index, event, file, line, source, depth, call_index,
                                                  locals_json, value)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [t.id, i, f.event.rawValue, f.file, f.line, f.source, f.depth, f.call, locals, f.value])
                }
            }
        }
    }

    /// The traces of a batch (every batch when nil), oldest first, without frames.
    public func traceSummaries(batch: String? = nil) async throws(TrajectoryError) -> [TraceSummary] {
        try await read("listing traces") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, batch, kind, repo, task_id, variant, test, file, function, cut, events, seconds FROM traces
                WHERE ? IS NULL OR batch = ? ORDER BY created_at, id
                """, arguments: [batch, batch])
            return try rows.map { row throws(TrajectoryError) in
                TraceSummary(id: row["id"], batch: row["batch"], kind: try Self.traceKind(row), repo: row["repo"],
                             taskID: row["task_id"], variant: row["variant"], test: row["test"], file: row["file"],
                             function: row["function"], cut: row["cut"], events: row["events"], seconds: row["seconds"])
            }
        }
    }

    /// The traces of a batch with their frames, oldest first.
    public func traces(batch: String) async throws(TrajectoryError) -> [TraceRecord] {
        try await read("reading the traces of \(batch)") { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM traces WHERE batch = ? ORDER BY created_at, id", arguments: [batch])
            return try ids.map { id in try Self.fetchTrace(db, id: id) }
        }
    }

    /// One trace with its frames, or nil.
    public func trace(id: String) async throws(TrajectoryError) -> TraceRecord? {
        try await read("reading trace \(id)") { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM traces WHERE id = ?", arguments: [id]) != nil else { return nil }
            return try Self.fetchTrace(db, id: id)
        }
    }

    static func traceKind(_ row: Row) throws(TrajectoryError) -> TraceKind {
        let raw: String = row["kind"]
        guard let kind = TraceKind(rawValue: raw) else {
            throw .invalidValue(field: "kind", owner: "trace \(row["id"] as String)", reason: "unknown value \"\(raw)\"")
        }
        return kind
    }

    static func fetchTrace(_ db: Database, id: String) throws -> TraceRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM traces WHERE id = ?", arguments: [id]) else {
            throw TrajectoryError.invalidValue(field: "id", owner: "trace", reason: "no trace \(id)")
        }
        let frames = try Row.fetchAll(db, sql: "SELECT * FROM trace_frames WHERE trace_id = ? ORDER BY frame_index",
                                      arguments: [id]).map { r throws -> TraceFrame in
            let raw: String = r["event"]
            guard let event = TraceEvent(rawValue: raw) else {
                throw TrajectoryError.invalidValue(field: "event", owner: "frame of trace \(id)", reason: "unknown value \"\(raw)\"")
            }
            var locals: [TraceLocal]?
            if let text: String = r["locals_json"] {
                guard let pairs = try? JSONDecoder().decode([[String]].self, from: Data(text.utf8)), pairs.allSatisfy({ $0.count == 2 }) else {
                    throw TrajectoryError.invalidJSON(field: "locals_json", owner: "frame of trace \(id)", reason: "not [name, value] pairs")
                }
                locals = pairs.map { TraceLocal(name: $0[0], value: $0[1]) }
            }
            return TraceFrame(event: event, file: r["file"], line: r["line"], source: r["source"], depth: r["depth"],
                              call: r["call_index"], locals: locals, value: r["value"])
        }
        return TraceRecord(id: id, batch: row["batch"], kind: try traceKind(row), repo: row["repo"], commit: row["commit_sha"],
                           taskID: row["task_id"], variant: row["variant"], test: row["test"], file: row["file"],
                           function: row["function"], line: row["line"], codeLine: row["code_line"],
                           entryCall: row["entry_call"], context: row["context"], cut: row["cut"],
                           seconds: row["seconds"], untracedSeconds: row["untraced_seconds"],
                           createdAt: Date(timeIntervalSince1970: row["created_at"]), frames: frames)
    }
}
