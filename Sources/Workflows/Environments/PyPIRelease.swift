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
    static func decode(_ data: Data, source: String, version: String? = nil, label: String = "") throws(EnvBuildError) -> PyPIRelease {
        let doc: Document
        do { doc = try JSONDecoder().decode(Document.self, from: data) } catch {
            throw .fetch(source, "PyPI's JSON is not what was expected (\(error))")
        }
        let wanted = version ?? doc.info.version
        guard let files = wanted == doc.info.version ? doc.urls : doc.releases?[wanted] else {
            throw .fetch(label, "PyPI has no release \(wanted) (latest: \(doc.info.version))")
        }
        guard let sdist = files.first(where: { $0.packagetype == "sdist" }) else {
            throw .fetch(label, "release \(wanted) has no source distribution on PyPI (wheels only)")
        }
        // Mirrors answer with URLs relative to the JSON document.
        let absolute = URL(string: sdist.url, relativeTo: URL(string: source))?.absoluteURL.absoluteString ?? sdist.url
        let requires = wanted == doc.info.version ? doc.info.requires_python : sdist.requires_python
        return PyPIRelease(name: doc.info.name, version: wanted, sdistURL: absolute, sdistFilename: sdist.filename,
                           sha256: sdist.digests.sha256, uploadTime: sdist.upload_time_iso_8601,
                           requiresPython: requires.flatMap { $0.isEmpty ? nil : $0 },
                           classifiers: wanted == doc.info.version ? doc.info.classifiers ?? [] : [])
    }

    /// Asks PyPI (through curl) for the project's JSON and picks the release, the latest when
    /// `version` is nil (the per-release endpoint is not served by every mirror; the project's is).
    static func fetch(name: String, version: String?) async throws(EnvBuildError) -> PyPIRelease {
        try await fetchHistory(name: name, version: version, count: 1)[0]
    }

    /// The `count` releases with an sdist up to `version` (the latest when nil), oldest first, by upload time.
    static func fetchHistory(name: String, version: String?, count: Int) async throws(EnvBuildError) -> [PyPIRelease] {
        let url = "https://pypi.org/pypi/\(name)/json"
        let label = "pypi:\(name)" + (version.map { "==\($0)" } ?? "")
        let result = try await HostCommand.run("curl", ["-fsSL", "--retry", "2", "--max-time", "60", url], timeout: .seconds(90))
        guard result.succeeded else {
            throw .fetch(label, "PyPI answered no project (\(result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)))")
        }
        let last = try decode(result.stdout, source: url, version: version, label: label)
        guard count > 1 else { return [last] }
        let all = try releases(result.stdout, source: url).filter { $0.uploadTime <= last.uploadTime && $0.version != last.version }
        return Array(all.sorted { $0.uploadTime < $1.uploadTime }.suffix(count - 1)) + [last]
    }

    /// Every release of the project JSON that has an sdist (yanked ones left out).
    static func releases(_ data: Data, source: String) throws(EnvBuildError) -> [PyPIRelease] {
        let doc: Document
        do { doc = try JSONDecoder().decode(Document.self, from: data) } catch { throw .fetch(source, "PyPI's JSON is not what was expected (\(error))") }
        return (doc.releases ?? [:]).compactMap { version, files in
            guard let sdist = files.first(where: { $0.packagetype == "sdist" && $0.yanked != true }) else { return nil }
            let absolute = URL(string: sdist.url, relativeTo: URL(string: source))?.absoluteURL.absoluteString ?? sdist.url
            return PyPIRelease(name: doc.info.name, version: version, sdistURL: absolute, sdistFilename: sdist.filename, sha256: sdist.digests.sha256,
                               uploadTime: sdist.upload_time_iso_8601, requiresPython: sdist.requires_python, classifiers: [])
        }
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
            var requires_python: String?
            var yanked: Bool?
        }
        var info: Info
        var urls: [File]
        var releases: [String: [File]]?
    }
}
