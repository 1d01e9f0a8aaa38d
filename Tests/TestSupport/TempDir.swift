import Foundation

/// A fresh directory under the system temp dir, removed by the caller's `defer { dir.remove() }`.
public struct TempDir: Sendable {
    public let path: String

    /// - Parameter prefix: the start of the directory's name, saying which tests made it.
    public init(prefix: String = "forager-test-") throws {
        path = TestScratch.path + "/" + prefix + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// A trajectory database's path inside it.
    public var dbPath: String { path + "/forager.sqlite" }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}
