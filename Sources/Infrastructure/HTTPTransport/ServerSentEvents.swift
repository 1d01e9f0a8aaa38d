import Foundation

/// Splits a `text/event-stream` body, fed in arbitrary chunks, into events' `data` fields
/// (several `data:` lines of one event are joined with newlines; comments and other fields are
/// skipped), as the HTML standard's event-stream parsing describes.
package struct ServerSentEventParser: Sendable {
    private var pending = Data()
    private var dataLines: [String] = []

    package init() {}

    /// Feeds bytes; returns the data of every event the bytes completed.
    package mutating func feed(_ bytes: Data) -> [String] {
        pending.append(bytes)
        var events: [String] = []
        while let newline = pending.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) {
            var lineBytes = pending[pending.startIndex..<newline]
            var next = pending.index(after: newline)
            if pending[newline] == 0x0D {
                // A CR at the end of the buffer may be the first half of CRLF: wait for more.
                if next == pending.endIndex { break }
                if pending[next] == 0x0A { next = pending.index(after: next) }
            }
            if lineBytes.last == 0x0D { lineBytes = lineBytes.dropLast() }
            let line = String(decoding: lineBytes, as: UTF8.self)
            pending = Data(pending[next...])
            if line.isEmpty {
                if !dataLines.isEmpty { events.append(dataLines.joined(separator: "\n")) }
                dataLines = []
            } else if line.hasPrefix("data:") {
                var value = line.dropFirst("data:".count)
                if value.first == " " { value = value.dropFirst() }
                dataLines.append(String(value))
            }
        }
        return events
    }

    /// The last event when the stream ended without its blank line.
    package mutating func finish() -> [String] {
        var events = feed(Data("\n".utf8))
        if !dataLines.isEmpty { events.append(dataLines.joined(separator: "\n")) }
        dataLines = []
        return events
    }
}
