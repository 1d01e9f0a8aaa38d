import Foundation
import Hummingbird

/// On loopback the viewer answers only requests addressed to a local host name: a page on
/// another site that rebinds its own name to 127.0.0.1 (DNS rebinding) sends its own name as
/// `Host` and gets 421, so it cannot read the trajectories through the user's browser. A request
/// without `Host` (HTTP/1.0, curl -H 'Host:') comes from no browser and is served.
struct LoopbackHostCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let authority = request.head.authority ?? request.headers.first { $0.name.canonicalName == "host" }?.value
        if let authority, !authority.isEmpty, !Self.isLocal(authority: authority) {
            var buffer = ByteBuffer()
            buffer.writeString("forager view answers only local host names (localhost, 127.0.0.1, [::1]), not \(authority)\n")
            return Response(status: .misdirectedRequest, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: buffer))
        }
        return try await next(request, context)
    }

    /// `authority` (`host[:port]`) names the loopback interface.
    static func isLocal(authority: String) -> Bool {
        var host = authority
        if host.hasPrefix("[") {
            guard let end = host.firstIndex(of: "]") else { return false }
            host = String(host[...end])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        host = host.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || host.hasSuffix(".localhost") || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
