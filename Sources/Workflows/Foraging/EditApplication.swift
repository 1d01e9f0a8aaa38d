/// Applies a mutation's edits to a file's bytes at exact positions, the rest untouched.
public enum EditApplication {
    /// Byte offsets where each line starts, splitting as Python's `bytes.splitlines` does (`\n`,
    /// `\r\n`, `\r`), which is how `ast` numbers lines. One more entry: the end of the data.
    public static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                starts.append(i + 1)
            } else if bytes[i] == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        if starts.last != bytes.count { starts.append(bytes.count) }
        return starts
    }

    /// The absolute byte offset of (line, UTF-8 column).
    static func offset(line: Int, col: Int, starts: [Int], file: String) throws(EditError) -> Int {
        guard line >= 1, line <= starts.count else { throw .outOfRange(file, "line \(line) is past the end of the file") }
        let o = starts[line - 1] + col
        guard col >= 0, o <= starts.last ?? 0 else { throw .outOfRange(file, "column \(col) of line \(line) is past the end of the file") }
        return o
    }

    /// `bytes` with `edits` applied. Each edit's (line, col) positions must agree with its byte
    /// offsets, and edits must not overlap.
    public static func apply(_ edits: [SourceEdit], to bytes: [UInt8], file: String) throws(EditError) -> [UInt8] {
        let starts = lineStarts(bytes)
        var ranges: [(Int, Int, String)] = []
        for e in edits {
            let a = try offset(line: e.line, col: e.col, starts: starts, file: file)
            let b = try offset(line: e.endLine, col: e.endCol, starts: starts, file: file)
            guard a == e.start, b == e.end, a <= b else {
                throw .inconsistent(file, "edit at \(e.line):\(e.col)-\(e.endLine):\(e.endCol) is bytes \(a)..<\(b), the helper said \(e.start)..<\(e.end)")
            }
            ranges.append((a, b, e.text))
        }
        ranges.sort { $0.0 < $1.0 }
        for (x, y) in zip(ranges, ranges.dropFirst()) where x.1 > y.0 {
            throw .inconsistent(file, "edits at bytes \(x.0) and \(y.0) overlap")
        }
        var out = bytes
        for (a, b, text) in ranges.reversed() { out.replaceSubrange(a..<b, with: Array(text.utf8)) }
        return out
    }

    /// FNV-1a 64 of `bytes` as 16 hex digits (the helper's digest of a mutated file).
    public static func fnv1a64(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x100000001b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

public enum EditError: Error, Sendable, CustomStringConvertible {
    case outOfRange(String, String)
    case inconsistent(String, String)

    public var description: String {
        switch self {
        case .outOfRange(let file, let why), .inconsistent(let file, let why): return "\(file): \(why)"
        }
    }
}
