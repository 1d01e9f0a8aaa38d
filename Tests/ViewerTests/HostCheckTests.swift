import Foundation
import Testing
import TestSupport
import Trajectories
@testable import Viewer

/// Issue 16 case 7: on loopback the viewer answers only local host names (DNS rebinding).
@Suite struct HostCheckTests {
    @Test("a request whose Host is another site's name gets 421; localhost, 127.0.0.1 and no Host are served")
    func foreignHostRefused() async throws {
        let dir = TestScratch.path + "/forager-hostcheck-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await makeFixtureStore(at: dir + "/v.sqlite")
        let codes = try await withViewer(store) { base -> [String: String] in
            func status(_ host: String?) async throws -> String {
                var args = ["-s", "-o", "/dev/null", "-w", "%{http_code}"]
                if let host { args += ["-H", host.isEmpty ? "Host:" : "Host: \(host)"] }
                return try await runProcess("/usr/bin/curl", args + [base + "/api/runs"], timeout: 60).output
            }
            var codes: [String: String] = [:]
            for host in ["evil.example:8080", "attacker.test", "127.0.0.1.evil.example", "localhost:1234", "127.0.0.1", "[::1]:80", ""] {
                codes[host] = try await status(host)
            }
            return codes
        }
        for host in ["evil.example:8080", "attacker.test", "127.0.0.1.evil.example"] { #expect(codes[host] == "421", "\(host)") }
        // "" makes curl send no Host at all.
        for host in ["localhost:1234", "127.0.0.1", "[::1]:80", ""] { #expect(codes[host] == "200", "\(host)") }
    }
}
