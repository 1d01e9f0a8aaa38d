import Foundation

/// Writes POSIX (ustar + pax) tar archives. Names or link targets over 100 bytes, and sizes beyond
/// ustar's octal field, go into a pax extended header, as Go's archive/tar (the engine's) expects.
public struct TarWriter: Sendable {
    public private(set) var data = Data()

    public init() {}

    public mutating func append(_ entry: TarEntry) throws(DockerError) {
        let path = entry.path.hasPrefix("./") ? String(entry.path.dropFirst(2)) : entry.path
        guard !path.isEmpty || entry.kind == .directory else {
            throw .invalidArgument("tar entry with an empty path")
        }
        var name = path
        if entry.kind == .directory, !name.hasSuffix("/") { name += "/" }
        var typeFlag: UInt8
        var link = ""
        var size = 0
        switch entry.kind {
        case .file: typeFlag = UInt8(ascii: "0"); size = entry.data.count
        case .directory: typeFlag = UInt8(ascii: "5")
        case .symlink(let target): typeFlag = UInt8(ascii: "2"); link = target
        case .hardlink(let target): typeFlag = UInt8(ascii: "1"); link = target
        }

        var pax: [(String, String)] = []
        if name.utf8.count > 100 || !name.allSatisfy(\.isASCII) { pax.append(("path", name)) }
        if link.utf8.count > 100 || !link.allSatisfy(\.isASCII) { pax.append(("linkpath", link)) }
        if size > 0o77777777777 { pax.append(("size", String(size))) }
        if !pax.isEmpty {
            var records = Data()
            for (key, value) in pax { records.append(Self.paxRecord(key, value)) }
            let paxName = "PaxHeaders/" + String(name.utf8.suffix(80).compactMap { $0 == UInt8(ascii: "/") ? nil : Character(UnicodeScalar($0)) }.prefix(80))
            data.append(Self.header(name: paxName, mode: 0o644, size: records.count, mtime: entry.modificationTime,
                                    type: UInt8(ascii: "x"), link: "", uid: 0, gid: 0))
            Self.appendPadded(&data, records)
        }
        data.append(Self.header(name: String(decoding: name.utf8.prefix(100), as: UTF8.self), mode: entry.mode,
                                size: size > 0o77777777777 ? 0 : size, mtime: entry.modificationTime, type: typeFlag,
                                link: String(decoding: link.utf8.prefix(100), as: UTF8.self), uid: entry.uid, gid: entry.gid))
        if case .file = entry.kind { Self.appendPadded(&data, entry.data) }
    }

    /// Appends the two zero blocks that end an archive and returns the bytes.
    public mutating func finish() -> Data {
        data.append(Data(count: 1024))
        return data
    }

    /// An archive of `entries`, finished.
    public static func archive(_ entries: [TarEntry]) throws(DockerError) -> Data {
        var writer = TarWriter()
        for entry in entries { try writer.append(entry) }
        return writer.finish()
    }

    /// Adds a host directory tree (files, directories, symlinks kept as links) under `prefix`.
    public mutating func appendDirectory(at url: URL, prefix: String = "") throws(DockerError) {
        let fm = FileManager.default
        let root = url.standardizedFileURL.path
        guard let enumerator = fm.enumerator(atPath: root) else {
            throw .invalidArgument("cannot read directory \(root)")
        }
        var paths: [String] = []
        while let rel = enumerator.nextObject() as? String { paths.append(rel) }
        for rel in paths.sorted() {
            let full = root + "/" + rel
            let name = prefix.isEmpty ? rel : prefix + "/" + rel
            var st = stat()
            guard lstat(full, &st) == 0 else { throw .invalidArgument("cannot stat \(full): \(String(cString: strerror(errno)))") }
            let mode = UInt32(st.st_mode) & 0o7777
            let mtime = Int64(st.st_mtim.tv_sec)
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try append(TarEntry(path: name, kind: .directory, mode: mode, modificationTime: mtime))
            case S_IFLNK:
                let target = (try? fm.destinationOfSymbolicLink(atPath: full)) ?? ""
                try append(TarEntry(path: name, kind: .symlink(target: target), mode: mode, modificationTime: mtime))
            case S_IFREG:
                guard let contents = fm.contents(atPath: full) else { throw .invalidArgument("cannot read \(full)") }
                try append(TarEntry(path: name, kind: .file, mode: mode, data: contents, modificationTime: mtime))
            default:
                continue  // sockets, fifos and devices have no place in a build context
            }
        }
    }

    // MARK: - Encoding

    private static func paxRecord(_ key: String, _ value: String) -> Data {
        // "%d %s=%s\n" where the length counts itself.
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count != length { length += 1 }
        return Data("\(length)\(body)".utf8)
    }

    private static func appendPadded(_ out: inout Data, _ payload: Data) {
        out.append(payload)
        let rem = payload.count % 512
        if rem != 0 { out.append(Data(count: 512 - rem)) }
    }

    private static func header(name: String, mode: UInt32, size: Int, mtime: Int64, type: UInt8, link: String, uid: Int, gid: Int) -> Data {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, _ offset: Int, _ length: Int) {
            for (i, b) in s.utf8.prefix(length).enumerated() { h[offset + i] = b }
        }
        func octal(_ v: Int, _ offset: Int, _ length: Int) {
            put(String(String(v, radix: 8).suffix(length - 1)).leftPadded(to: length - 1), offset, length - 1)
        }
        put(name, 0, 100)
        octal(Int(mode), 100, 8)
        octal(uid, 108, 8)
        octal(gid, 116, 8)
        octal(size, 124, 12)
        octal(Int(max(0, mtime)), 136, 12)
        for i in 148..<156 { h[i] = UInt8(ascii: " ") }
        h[156] = type
        put(link, 157, 100)
        put("ustar", 257, 6)
        put("00", 263, 2)
        put("root", 265, 32)
        put("root", 297, 32)
        let sum = h.reduce(0) { $0 + Int($1) }
        put(String(String(sum, radix: 8)).leftPadded(to: 6), 148, 6)
        h[154] = 0
        h[155] = UInt8(ascii: " ")
        return Data(h)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
