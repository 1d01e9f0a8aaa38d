import Foundation
import Synchronization

/// One line of a streaming JSON answer (build, pull, push, load, import, events).
public struct JSONLine: Sendable {
    /// The decoded object, as JSON text re-encodable by callers that need more fields.
    public let raw: String
    /// Build output (`stream`).
    public let stream: String?
    /// Pull/push/load status text (`status`, `id`, `progress`).
    public let status: String?
    public let id: String?
    public let progress: String?
    /// `aux.ID` (build: the image id) or `aux.Digest` (push).
    public let auxID: String?
    public let auxDigest: String?
    /// The failure message of an `errorDetail` / `error` line.
    public let error: String?

    init?(_ line: Data) {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: line) else { return nil }
        raw = String(decoding: line, as: UTF8.self)
        stream = wire.stream
        status = wire.status
        id = wire.id
        progress = wire.progress
        auxID = wire.aux?.ID
        auxDigest = wire.aux?.Digest
        error = wire.errorDetail?.message ?? wire.error
    }

    /// The keys read from a line; the engine's key names, hence the capitals in `aux`.
    private struct Wire: Decodable {
        struct Aux: Decodable {
            var ID: String?
            var Digest: String?
        }
        struct Detail: Decodable { var message: String? }
        var stream: String?
        var status: String?
        var id: String?
        var progress: String?
        var aux: Aux?
        var errorDetail: Detail?
        var error: String?
    }
}

/// Splits a byte stream into `\n`-terminated lines across chunk boundaries.
final class LineSplitter: Sendable {
    private let buffer = Mutex(Data())

    func push(_ chunk: Data) -> [Data] {
        buffer.withLock { buf in
            buf.append(chunk)
            var lines: [Data] = []
            while let nl = buf.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buf[buf.startIndex..<nl]
                if !line.isEmpty { lines.append(Data(line)) }
                buf.removeSubrange(buf.startIndex...nl)
            }
            return lines
        }
    }

    func finish() -> [Data] {
        buffer.withLock { buf in
            defer { buf.removeAll() }
            return buf.isEmpty ? [] : [buf]
        }
    }
}

/// A value guarded by a mutex, for state that callbacks on libcurl's thread and the caller share.
final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
