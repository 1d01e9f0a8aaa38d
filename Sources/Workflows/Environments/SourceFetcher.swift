import Foundation

/// A source unpacked on the host, ready to be copied to `/testbed`.
struct FetchedSource: Sendable {
    /// The project's tree (the archive's single top folder, or the clone).
    var tree: URL
    var name: String
    var version: String
    /// The upload time of a PyPI release (dependencies are resolved as of then).
    var uploadTime: String?
    var requiresPython: String?
    var classifiers: [String]
    /// True for a git repository: its history is kept and no new commit is made.
    var keepsHistory: Bool
    /// With `--releases K`: the earlier releases' trees and versions, oldest first (the last is `tree`).
    var earlier: [(version: String, tree: URL)] = []
}

/// Downloads (PyPI, sha256 checked), unpacks (archives) or clones (git) a source into `workDir`.
enum SourceFetcher {
    static func fetch(_ source: EnvSource, into workDir: URL, releases: Int = 1) async throws(EnvBuildError) -> FetchedSource {
        let unpacked = workDir.appendingPathComponent("source")
        try? FileManager.default.removeItem(at: unpacked)
        try makeDirectory(unpacked)
        switch source {
        case .pypi(let name, let version):
            let history = try await PyPIRelease.fetchHistory(name: name, version: version, count: releases)
            var trees: [URL] = []
            for (i, release) in history.enumerated() {
                let archive = workDir.appendingPathComponent(release.sdistFilename)
                try await HostCommand.check("curl", ["-fsSL", "--retry", "2", "--max-time", "300", "-o", archive.path, release.sdistURL], timeout: .seconds(330))
                let digest = try await HostCommand.check("sha256sum", [archive.path]).split(separator: " ").first.map(String.init) ?? ""
                guard digest == release.sha256 else {
                    throw .fetch(source.description, "sha256 of \(release.sdistFilename) is \(digest), PyPI says \(release.sha256)")
                }
                let folder = history.count == 1 ? unpacked : unpacked.appendingPathComponent("r\(i)")
                try makeDirectory(folder)
                trees.append(try await unpack(archive, into: folder, source: source))
            }
            guard let release = history.last, let tree = trees.last else { throw .fetch(source.description, "no release") }
            let earlier = zip(history.dropLast(), trees.dropLast()).map { (version: $0.version, tree: $1) }
            return FetchedSource(tree: tree, name: release.name, version: release.version, uploadTime: release.uploadTime,
                                 requiresPython: release.requiresPython, classifiers: release.classifiers, keepsHistory: false, earlier: earlier)
        case .archive(let path):
            let tree = try await unpack(URL(fileURLWithPath: path), into: unpacked, source: source)
            let (name, version) = nameAndVersion(tree: tree, fallback: URL(fileURLWithPath: path).lastPathComponent)
            return FetchedSource(tree: tree, name: name, version: version, uploadTime: nil, requiresPython: nil, classifiers: [], keepsHistory: false)
        case .gitRepository(let path):
            let tree = unpacked.appendingPathComponent("repo")
            try await HostCommand.check("git", ["clone", "-q", "--no-hardlinks", path, tree.path], timeout: .seconds(300))
            let head = try await HostCommand.check("git", ["-C", tree.path, "rev-parse", "--short=12", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
            var (name, version) = nameAndVersion(tree: tree, fallback: URL(fileURLWithPath: path).lastPathComponent)
            if version == "0" { version = head }
            return FetchedSource(tree: tree, name: name, version: version, uploadTime: nil, requiresPython: nil, classifiers: [], keepsHistory: true)
        }
    }

    private static func unpack(_ archive: URL, into folder: URL, source: EnvSource) async throws(EnvBuildError) -> URL {
        if archive.path.hasSuffix(".zip") {
            try await HostCommand.check("python3", ["-m", "zipfile", "-e", archive.path, folder.path], timeout: .seconds(300))
        } else {
            try await HostCommand.check("tar", ["-xf", archive.path, "-C", folder.path, "--no-same-owner"], timeout: .seconds(300))
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.filter { !$0.hasPrefix(".") } ?? []
        if entries.count == 1 {
            let only = folder.appendingPathComponent(entries[0])
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: only.path, isDirectory: &isDir), isDir.boolValue { return only }
        }
        guard !entries.isEmpty else { throw .fetch(source.description, "the archive is empty") }
        return folder
    }

    /// The project's name and version from its metadata (PKG-INFO, pyproject.toml, setup.cfg),
    /// else from the archive or folder name (`name-1.2.tar.gz`).
    static func nameAndVersion(tree: URL, fallback: String) -> (String, String) {
        for file in ["PKG-INFO", "pyproject.toml", "setup.cfg"] {
            guard let text = try? String(contentsOf: tree.appendingPathComponent(file), encoding: .utf8) else { continue }
            let name = ConfigText.value(of: "name", in: text, separators: [":", "="])
            let version = ConfigText.value(of: "version", in: text, separators: [":", "="])
            if let name, !name.contains("{") {
                return (name, version.flatMap { $0.contains("attr") || $0.contains("{") ? nil : $0 } ?? "0")
            }
        }
        var base = fallback
        for suffix in EnvSource.archiveSuffixes where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
        if let dash = base.lastIndex(of: "-"), base[base.index(after: dash)...].first?.isNumber == true {
            return (String(base[..<dash]), String(base[base.index(after: dash)...]))
        }
        return (base, "0")
    }

    static func makeDirectory(_ url: URL) throws(EnvBuildError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw .command("mkdir \(url.path)", "\(error)")
        }
    }
}
