/// Python 3 text semantics the similarity port needs: strings as code points, `str.isspace`,
/// `str.strip()`, `\d` and `int()` on Unicode decimal digits.
enum PythonText {
    /// A string's code points (what Python indexes, compares and slices).
    static func codePoints(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    static func string(_ points: some Sequence<UInt32>) -> String {
        var out = String.UnicodeScalarView()
        for p in points { if let scalar = Unicode.Scalar(p) { out.append(scalar) } }
        return String(out)
    }

    /// `str.isspace()` (and `\s` in a str pattern): the 29 code points Python calls whitespace.
    static func isSpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `str.strip()` with no argument.
    static func strip(_ s: ArraySlice<UInt32>) -> ArraySlice<UInt32> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, isSpace(s[lo]) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// `\d` in a str pattern: a Unicode decimal digit (category Nd).
    static func isDecimal(_ c: UInt32) -> Bool { decimalValue(c) != nil }

    static func decimalValue(_ c: UInt32) -> Int? {
        if c >= 0x30 && c <= 0x39 { return Int(c - 0x30) }
        guard c >= 0x80, let scalar = Unicode.Scalar(c), scalar.properties.numericType == .decimal,
              let value = scalar.properties.numericValue else { return nil }
        return Int(value)
    }

    /// `"%d" % int(digits)` for a run of decimal digits: ASCII, no leading zeros.
    static func canonicalInteger(_ digits: ArraySlice<UInt32>) -> [UInt32] {
        var out: [UInt32] = []
        for d in digits {
            let v = UInt32(decimalValue(d) ?? 0)
            if out.isEmpty && v == 0 { continue }
            out.append(0x30 + v)
        }
        return out.isEmpty ? [0x30] : out
    }

    /// `int(digits)`, saturating at `Int.max` (a longer hunk than that can never be complete).
    static func saturatingInteger(_ digits: ArraySlice<UInt32>) -> Int {
        var value = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(decimalValue(d) ?? 0)
            if o1 || o2 { return Int.max }
            value = a
        }
        return value
    }

    /// Iterating a `StringIO`: lines split after each `\n`, which they keep.
    static func lines(_ s: [UInt32]) -> [ArraySlice<UInt32>] {
        var out: [ArraySlice<UInt32>] = []
        var start = 0
        for (i, c) in s.enumerated() where c == 0x0A {
            out.append(s[start...i])
            start = i + 1
        }
        if start < s.count { out.append(s[start...]) }
        return out
    }
}

/// A string compared and hashed by code points, as Python's `==` and `dict` do (Swift's `String`
/// equality is canonical equivalence, which would merge NFC and NFD spellings).
struct ExactString: Hashable, Sendable {
    let value: String
    init(_ value: String) { self.value = value }
    static func == (l: ExactString, r: ExactString) -> Bool { l.value.utf8.elementsEqual(r.value.utf8) }
    func hash(into hasher: inout Hasher) {
        for byte in value.utf8 { hasher.combine(byte) }
    }
}
