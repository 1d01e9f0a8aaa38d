/// Byte-to-text conversions that must match what CWM's Python code produces.
public enum TextDecoding {
    /// `bytes.decode("utf-8", errors="ignore")`: invalid sequences are dropped, one maximal
    /// invalid subpart at a time (the same unit Swift's parser reports).
    public static func utf8DroppingInvalid(_ bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalars.append(Unicode.UTF8.decode(encoded))
            case .error:
                continue
            case .emptyInput:
                break loop
            }
        }
        return String(scalars)
    }

    /// Strict UTF-8 decoding, or nil when the bytes are not valid UTF-8 (where Python's text-mode
    /// `open` would raise `UnicodeDecodeError`).
    static func utf8Strict(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Python's universal-newlines reading: `\r\n` and a lone `\r` both become `\n`.
    static func universalNewlines(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0D) else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0D {
                result.append(0x0A)
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
            } else {
                result.append(byte)
            }
            i += 1
        }
        return result
    }
}
