import Foundation

/// One source's outcome, as the table and `--json` show it.
public struct EnvResult: Sendable, Codable, Equatable {
    public enum Status: String, Codable, Sendable { case built, failed }
    public var source: String
    public var image: String?
    public var spec: String?
    public var status: Status
    public var cause: EnvFailureCause?
    /// The cause's detail: pip's error line, the collection error, the missing library.
    public var detail: String?
    public var testsPassed: Int
    public var testsFailed: Int
    public var flaky: Int
    public var seconds: Double
    public var imageBytes: Int64?
    public var python: String?
    /// The build's log folder (kept for failures too).
    public var log: String?
    /// `--agent`: the episode that tried to make the suite run (built or not), as `run id/episode id`.
    public var agentEpisode: String?

    enum CodingKeys: String, CodingKey {
        case source, image, spec, status, cause, detail, testsPassed = "tests_passed", testsFailed = "tests_failed", flaky
        case seconds, imageBytes = "image_bytes", python, log, agentEpisode = "agent_episode"
    }

    static func failure(_ source: String, _ cause: EnvFailureCause, _ detail: String, seconds: Double, log: String?, python: String? = nil,
                        image: String? = nil, passed: Int = 0, failed: Int = 0) -> EnvResult {
        EnvResult(source: source, image: image, spec: nil, status: .failed, cause: cause, detail: detail, testsPassed: passed,
                  testsFailed: failed, flaky: 0, seconds: seconds, imageBytes: nil, python: python, log: log)
    }
}
