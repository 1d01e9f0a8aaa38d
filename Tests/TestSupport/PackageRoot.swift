import Foundation

/// The package's root folder (the one holding Package.swift, Images/, Tasks/ and Scripts/),
/// found from this file's place in Tests/TestSupport.
public let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The base image Scripts/setup builds, which every sandbox test starts from.
public let baseImage = "forager/base:bookworm"

/// A failure a test's support code reports, its message saying what went wrong and where.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}
