import Foundation

/// One member of a tar archive.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
        case hardlink(target: String)
    }

    /// Relative path inside the archive, without a trailing slash.
    public var path: String
    public var kind: Kind
    /// Permission bits (e.g. 0o644, 0o755).
    public var mode: UInt32
    public var data: Data
    public var modificationTime: Int64
    public var uid: Int
    public var gid: Int

    public init(path: String, kind: Kind = .file, mode: UInt32? = nil, data: Data = Data(),
                modificationTime: Int64 = 0, uid: Int = 0, gid: Int = 0) {
        self.path = path
        self.kind = kind
        switch kind {
        case .directory: self.mode = mode ?? 0o755
        case .symlink: self.mode = mode ?? 0o777
        default: self.mode = mode ?? 0o644
        }
        self.data = data
        self.modificationTime = modificationTime
        self.uid = uid
        self.gid = gid
    }

    public static func file(_ path: String, _ data: Data, mode: UInt32 = 0o644) -> TarEntry {
        TarEntry(path: path, kind: .file, mode: mode, data: data)
    }

    public static func file(_ path: String, _ text: String, mode: UInt32 = 0o644) -> TarEntry {
        TarEntry(path: path, kind: .file, mode: mode, data: Data(text.utf8))
    }

    public static func directory(_ path: String, mode: UInt32 = 0o755) -> TarEntry {
        TarEntry(path: path, kind: .directory, mode: mode)
    }

    public static func symlink(_ path: String, to target: String) -> TarEntry {
        TarEntry(path: path, kind: .symlink(target: target))
    }
}
