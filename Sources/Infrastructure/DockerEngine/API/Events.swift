import Foundation
import HTTPTransport

/// One event from `GET /events`.
public struct DockerEvent: Decodable, Sendable {
    public struct Actor: Decodable, Sendable {
        public let id: String?
        public let attributes: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }
    }
    public let type: String?
    public let action: String?
    public let actor: Actor?
    public let time: Int64?
    public let timeNano: Int64?

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", actor = "Actor", time, timeNano
    }
}

extension DockerClient {
    /// The engine's events as they happen, filtered (e.g. `["type": ["container"], "label": ["k=v"]]`).
    /// With `until`, the stream replays the past and ends; otherwise it runs until the consumer stops.
    /// Both bounds go to the engine to the microsecond (`seconds.fraction`), so an `until` of now
    /// includes this second's events without waiting for the next one.
    public func events(filters: [String: [String]] = [:], since: Date? = nil, until: Date? = nil) -> AsyncThrowingStream<DockerEvent, any Error> {
        let query: [(String, String?)] = [
            ("filters", Query.filters(filters)),
            ("since", since.map(Self.timestamp)),
            ("until", until.map(Self.timestamp)),
        ]
        let request = HTTPRequest(method: "GET", path: versioned("/events") + Query.encode(query), timeout: nil)
        let transport = self.transport
        return AsyncThrowingStream { continuation in
            let splitter = LineSplitter()
            let task = Task {
                do throws(DockerError) {
                    let response = try await transport.send(request) { chunk in
                        for line in splitter.push(chunk) {
                            if let event = try? JSONDecoder().decode(DockerEvent.self, from: line) {
                                if case .terminated = continuation.yield(event) { return false }
                            }
                        }
                        return true
                    }
                    if !(200..<300).contains(response.status) {
                        throw DockerError.fromStatus(response.status, message: "GET /events: HTTP \(response.status)")
                    }
                    continuation.finish()
                } catch .cancelled {
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
