import Foundation

/// Reads tar archives: ustar (with its name prefix), pax extended headers, and GNU long names.
public enum TarReader {
    public static func entries(_ archive: Data) throws(DockerError) -> [TarEntry] {
        let bytes = [UInt8](archive)
        var entries: [TarEntry] = []
        var offset = 0
        var paxPath: String?
        var paxLink: String?
        var paxSize: Int?
        var gnuName: String?
        var gnuLink: String?

        while offset + 512 <= bytes.count {
            let h = bytes[offset..<(offset + 512)]
            if h.allSatisfy({ $0 == 0 }) { break }
            guard verifyChecksum(h) else {
                throw .invalidArgument("tar archive: bad header checksum at byte \(offset)")
            }
            let type = h[h.startIndex + 156]
            var size = try number(h, 124, 12, at: offset)
            if let s = paxSize, type != UInt8(ascii: "x"), type != UInt8(ascii: "g") { size = s }
            let dataStart = offset + 512
            guard dataStart + size <= bytes.count else {
                throw .invalidArgument("tar archive: entry at byte \(offset) runs past the end (\(size) bytes)")
            }
            let payload = Data(bytes[dataStart..<(dataStart + size)])
            offset = dataStart + (size + 511) / 512 * 512

            switch type {
            case UInt8(ascii: "x"):
                for (key, value) in parsePax(payload) {
                    switch key {
                    case "path": paxPath = value
                    case "linkpath": paxLink = value
                    case "size": paxSize = Int(value)
                    default: break
                    }
                }
                continue
            case UInt8(ascii: "g"):
                continue
            case UInt8(ascii: "L"):
                gnuName = cString(payload)
                continue
            case UInt8(ascii: "K"):
                gnuLink = cString(payload)
                continue
            default:
                break
            }

            var name = field(h, 0, 100)
            let magic = field(h, 257, 6)
            if magic.hasPrefix("ustar") {
                let prefix = field(h, 345, 155)
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            name = paxPath ?? gnuName ?? name
            let link = paxLink ?? gnuLink ?? field(h, 157, 100)
            let mode = UInt32(try number(h, 100, 8, at: offset) & 0o7777)
            let mtime = Int64(try number(h, 136, 12, at: offset))
            let uid = try number(h, 108, 8, at: offset)
            let gid = try number(h, 116, 8, at: offset)
            paxPath = nil; paxLink = nil; paxSize = nil; gnuName = nil; gnuLink = nil

            var path = name
            if path.hasPrefix("./") { path = String(path.dropFirst(2)) }
            while path.hasSuffix("/") { path.removeLast() }
            let kind: TarEntry.Kind
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): kind = .file
            case UInt8(ascii: "5"): kind = .directory
            case UInt8(ascii: "2"): kind = .symlink(target: link)
            case UInt8(ascii: "1"): kind = .hardlink(target: link)
            default: continue  // devices, fifos: nothing to carry
            }
            if path.isEmpty && kind != .directory { continue }
            entries.append(TarEntry(path: path.isEmpty ? "." : path, kind: kind, mode: mode,
                                    data: kind == .file ? payload : Data(), modificationTime: mtime, uid: uid, gid: gid))
        }
        return entries
    }

    private static func field(_ h: ArraySlice<UInt8>, _ offset: Int, _ length: Int) -> String {
        let start = h.startIndex + offset
        let slice = h[start..<(start + length)]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: slice[start..<end], as: UTF8.self)
    }

    private static func number(_ h: ArraySlice<UInt8>, _ offset: Int, _ length: Int, at position: Int) throws(DockerError) -> Int {
        let start = h.startIndex + offset
        if h[start] & 0x80 != 0 {
            // GNU base-256 encoding for values that do not fit in octal.
            var value = Int(h[start] & 0x7f)
            for b in h[(start + 1)..<(start + length)] { value = value << 8 | Int(b) }
            return value
        }
        let text = field(h, offset, length).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        if text.isEmpty { return 0 }
        guard let value = Int(text, radix: 8) else {
            throw .invalidArgument("tar archive: bad number '\(text)' in the header at byte \(position)")
        }
        return value
    }

    private static func verifyChecksum(_ h: ArraySlice<UInt8>) -> Bool {
        let start = h.startIndex
        var sum = 0
        for (i, b) in h.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
        let stored = String(decoding: h[(start + 148)..<(start + 156)], as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        return Int(stored, radix: 8) == sum
    }

    private static func cString(_ data: Data) -> String {
        String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// pax records: "LENGTH KEY=VALUE\n", LENGTH counting the whole record in bytes.
    private static func parsePax(_ data: Data) -> [(String, String)] {
        let bytes = [UInt8](data)
        var result: [(String, String)] = []
        var i = 0
        while i < bytes.count {
            guard let space = bytes[i...].firstIndex(of: UInt8(ascii: " ")),
                  let length = Int(String(decoding: bytes[i..<space], as: UTF8.self)), length > 0,
                  i + length <= bytes.count else { break }
            let body = bytes[(space + 1)..<(i + length - 1)]  // without the trailing newline
            if let eq = body.firstIndex(of: UInt8(ascii: "=")) {
                result.append((String(decoding: body[body.startIndex..<eq], as: UTF8.self),
                               String(decoding: body[(eq + 1)...], as: UTF8.self)))
            }
            i += length
        }
        return result
    }
}
