import Foundation

/// One release's source distribution as PyPI's JSON API describes it.
public struct PyPIRelease: Sendable, Equatable {
    public var name: String
    public var version: String
    public var sdistURL: String
    public var sdistFilename: String
    public var sha256: String
    /// ISO 8601 upload time of the sdist: the "time machine" bound for the dependencies.
    public var uploadTime: String
    public var requiresPython: String?
    public var classifiers: [String]

    /// Decodes `https://pypi.org/pypi/NAME[/VERSION]/json`.
    static func decode(_ data: Data, source: String) throws(EnvBuildError) -> PyPIRelease {
        let doc: Document
        do { doc = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw .fetch(source, "PyPI's JSON is not what was expected (\(error))")
        }
        guard let sdist = doc.urls.first(where: { $0.packagetype == "sdist" }) else {
            throw .fetch(source, "release \(doc.info.version) has no source distribution on PyPI (wheels only)")
        }
        // Mirrors answer with URLs relative to the JSON document.
        let absolute = URL(string: sdist.url, relativeTo: URL(string: source))?.absoluteURL.absoluteString ?? sdist.url
        return PyPIRelease(name: doc.info.name, version: doc.info.version, sdistURL: absolute, sdistFilename: sdist.filename,
                           sha256: sdist.digests.sha256, uploadTime: sdist.upload_time_iso_8601,
                           requiresPython: doc.info.requires_python.flatMap { $0.isEmpty ? nil : $0 }, classifiers: doc.info.classifiers ?? [])
    }

    /// Asks PyPI (through curl) for the release, the latest when `version` is nil.
    static func fetch(name: String, version: String?) async throws(EnvBuildError) -> PyPIRelease {
        let url = "https://pypi.org/pypi/\(name)/" + (version.map { "\($0)/" } ?? "") + "json"
        let result = try await HostCommand.run("curl", ["-fsSL", "--retry", "2", "--max-time", "60", url], timeout: .seconds(90))
        guard result.succeeded else {
            throw .fetch("pypi:\(name)" + (version.map { "==\($0)" } ?? ""), "PyPI answered no release (\(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        return try decode(result.stdout, source: url)
    }

    private struct Document: Decodable {
        struct Info: Decodable {
            var name: String
            var version: String
            var requires_python: String?
            var classifiers: [String]?
        }
        struct File: Decodable {
            struct Digests: Decodable { var sha256: String }
            var packagetype: String
            var url: String
            var filename: String
            var digests: Digests
            var upload_time_iso_8601: String
        }
        var info: Info
        var urls: [File]
    }
}
