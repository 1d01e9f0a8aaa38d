import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import Trajectories

/// `forager view`'s web server: pages and a JSON API over one trajectory database, read only.
public struct ViewerServer: Sendable {
    public let store: TrajectoryStore

    public init(store: TrajectoryStore) {
        self.store = store
    }

    /// Whether `host` names the loopback interface (the only place the viewer listens by default).
    public static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        return lower == "localhost" || lower == "::1" || lower == "[::1]" || lower.hasPrefix("127.")
    }

    /// The page address for a host and port (IPv6 literals bracketed).
    public static func url(host: String, port: Int) -> String {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        return bare.contains(":") ? "http://[\(bare)]:\(port)/" : "http://\(bare):\(port)/"
    }

    /// Listens on host:port (port 0: any free port) and serves until the task is cancelled.
    /// `onListening` gets the page address once the socket is bound.
    public func run(host: String, port: Int,
                    onListening: @escaping @Sendable (_ url: String) async -> Void) async throws(ViewerError) {
        guard (0...65_535).contains(port) else {
            throw .listen(host: host, port: port, reason: "the port must be from 0 to 65535")
        }
        var logger = Logger(label: "forager.view")
        logger.logLevel = .warning
        let bindHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let listening = Mutex(false)
        let router = Routes(store: store).router(localHostsOnly: Self.isLoopback(bindHost))
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(bindHost, port: port), serverName: nil),
            onServerRunning: { channel in
                listening.withLock { $0 = true }
                await onListening(Self.url(host: bindHost, port: channel.localAddress?.port ?? port))
            },
            logger: logger)
        do {
            try await app.run()
        } catch {
            if listening.withLock({ $0 }) { throw .listen(host: host, port: port, reason: "the server stopped: \(error)") }
            throw .listen(host: host, port: port, reason: "\(error)")
        }
    }
}
