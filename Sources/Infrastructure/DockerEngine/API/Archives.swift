import Foundation
import HTTPTransport

/// What `HEAD /containers/{id}/archive` says about a path (the `X-Docker-Container-Path-Stat` header).
public struct PathStat: Decodable, Sendable {
    public let name: String
    public let size: Int64
    /// Go's os.FileMode: permission bits plus type bits (1<<31 directory, 1<<27 symlink).
    public let mode: UInt32
    public let mtime: String?
    public let linkTarget: String?

    public var isDirectory: Bool { mode & (1 << 31) != 0 }
    public var isSymlink: Bool { mode & (1 << 27) != 0 }
    public var permissions: UInt32 { mode & 0o777 }
}

extension DockerClient {
    /// Extracts a tar archive into the directory `path` of the container (which must exist).
    /// Works on created, running and exited containers; not on a read-only root filesystem.
    public func putArchive(container: String, path: String, tar: Data) async throws(DockerError) {
        try await call("PUT", "/containers/\(container)/archive", query: [("path", path)],
                       body: .data(tar, contentType: "application/x-tar"))
    }

    /// A tar of `path` in the container: the file, or the directory with its contents (a trailing
    /// `/.` gives only the contents).
    public func getArchive(container: String, path: String) async throws(DockerError) -> Data {
        try await call("GET", "/containers/\(container)/archive", query: [("path", path)], timeout: nil).body
    }

    /// Facts about a path in the container, or nil when it does not exist.
    public func statPath(container: String, path: String) async throws(DockerError) -> PathStat? {
        let response: HTTPResponse
        do {
            response = try await call("HEAD", "/containers/\(container)/archive", query: [("path", path)])
        } catch .notFound {
            return nil
        }
        guard let encoded = response.header("X-Docker-Container-Path-Stat"),
              let data = Data(base64Encoded: encoded) else {
            throw .decoding("HEAD archive \(path): no X-Docker-Container-Path-Stat header")
        }
        return try decodeJSON(PathStat.self, data, what: "path stat of \(path)")
    }

    /// Writes one file into the container (its parent directory must exist).
    public func writeFile(container: String, path: String, contents: Data, mode: UInt32 = 0o644) async throws(DockerError) {
        let (parent, name) = splitPath(path)
        guard !name.isEmpty else { throw .invalidArgument("writeFile: \(path) names no file") }
        let tar = try TarWriter.archive([.file(name, contents, mode: mode)])
        try await putArchive(container: container, path: parent, tar: tar)
    }

    /// Reads one regular file from the container, or nil when it does not exist.
    public func readFile(container: String, path: String) async throws(DockerError) -> Data? {
        let tar: Data
        do {
            tar = try await getArchive(container: container, path: path)
        } catch .notFound {
            return nil
        }
        for entry in try TarReader.entries(tar) where entry.kind == .file {
            return entry.data
        }
        throw .invalidArgument("\(path) in the container is not a regular file")
    }
}

func splitPath(_ path: String) -> (parent: String, name: String) {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    guard let slash = p.lastIndex(of: "/") else { return (".", p) }
    let parent = p[..<slash].isEmpty ? "/" : String(p[..<slash])
    return (parent, String(p[p.index(after: slash)...]))
}
