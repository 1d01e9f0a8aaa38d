import Foundation

/// A real registry (Debian's docker-registry) on a free loopback port, with its own storage.
public struct LocalRegistry: Sendable {
    public let port: Int
    let process: ChildProcess
    let directory: URL

    /// Starts one; fails naming the package to install when `docker-registry` does not answer in 10 s.
    public static func start() throws -> LocalRegistry {
        let dir = TestScratch.url.appendingPathComponent("forager-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let port = try FreePort.next()
        let config = """
            version: 0.1
            log: {level: error}
            storage: {filesystem: {rootdirectory: \(dir.path)/data}, delete: {enabled: true}}
            http: {addr: 127.0.0.1:\(port)}
            """
        try config.write(to: dir.appendingPathComponent("config.yml"), atomically: true, encoding: .utf8)
        let process = try ChildProcess(URL(fileURLWithPath: "/usr/bin/docker-registry"),
                                       ["serve", dir.appendingPathComponent("config.yml").path], output: .discard)
        for _ in 0..<100 {
            if (try? ChildProcess.run(["curl", "-sf", "http://127.0.0.1:\(port)/v2/"]).status) == 0 {
                return LocalRegistry(port: port, process: process, directory: dir)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        process.kill()
        throw TestFailure(description: "docker-registry did not start on 127.0.0.1:\(port) (is the docker-registry package installed? Run Scripts/setup)")
    }

    /// `HOST:PORT`, as `--registry` takes it.
    public var address: String { "127.0.0.1:\(port)" }

    public func stop() {
        process.kill()
        try? FileManager.default.removeItem(at: directory)
    }
}
