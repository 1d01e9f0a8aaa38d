import Foundation

/// What `forager env build` builds from: a PyPI release, a local source archive, or a local git
/// repository (its history kept).
public enum EnvSource: Sendable, Equatable, CustomStringConvertible {
    case pypi(name: String, version: String?)
    case archive(path: String)
    case gitRepository(path: String)

    /// Parses one SOURCE argument (`pypi:NAME[==VERSION]`, a `.tar.gz`/`.zip` path, a folder with `.git`).
    public static func parse(_ text: String) throws(EnvBuildError) -> EnvSource {
        let word = text.trimmingCharacters(in: .whitespaces)
        if word.hasPrefix("pypi:") {
            let rest = String(word.dropFirst(5))
            let parts = rest.components(separatedBy: "==")
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, parts.count <= 2, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw .badSource(text, "expected pypi:NAME or pypi:NAME==VERSION")
            }
            let version = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : nil
            if version?.isEmpty == true { throw .badSource(text, "the version after == is empty") }
            return .pypi(name: name, version: version)
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: word, isDirectory: &isDir) else {
            throw .badSource(text, "not pypi:NAME and no such file or folder")
        }
        let path = URL(fileURLWithPath: word).standardizedFileURL.path
        if isDir.boolValue {
            guard FileManager.default.fileExists(atPath: path + "/.git") else {
                throw .badSource(text, "a folder must be a git repository (no .git inside)")
            }
            return .gitRepository(path: path)
        }
        guard Self.archiveSuffixes.contains(where: { path.hasSuffix($0) }) else {
            throw .badSource(text, "a file must be a source archive (\(Self.archiveSuffixes.joined(separator: ", ")))")
        }
        return .archive(path: path)
    }

    static let archiveSuffixes = [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip"]

    public var description: String {
        switch self {
        case .pypi(let name, let version): return "pypi:\(name)" + (version.map { "==\($0)" } ?? "")
        case .archive(let path), .gitRepository(let path): return path
        }
    }
}
