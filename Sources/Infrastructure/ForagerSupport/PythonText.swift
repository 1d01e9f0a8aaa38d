/// Python 3 `str` semantics that CWM's protocol and the SWE-bench similarity port depend on.
///
/// CWM's parser and plugins and the similarity code are Python: they index by code point, strip
/// with `str.isspace` and count substrings. Swift `String` works on grapheme clusters, where
/// `"\r\n"` is a single `Character` and a combining mark merges with the `>` before it, so every
/// such scan runs over Unicode scalars (or their values, `UInt32` code points) instead.
public enum PythonText {
    // MARK: Whitespace

    /// `str.isspace()` (and `\s` in a str pattern): the 29 code points Python calls whitespace.
    @inlinable
    public static func isSpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `str.isspace()` of one scalar.
    @inlinable
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool { isSpace(scalar.value) }

    // MARK: Strings as scalars

    public static func scalars(_ text: String) -> [Unicode.Scalar] {
        Array(text.unicodeScalars)
    }

    public static func string<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// `str.strip()`.
    public static func strip(_ text: String) -> String {
        let s = scalars(text)
        guard let first = s.firstIndex(where: { !isSpace($0) }),
              let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return string(s[first...last])
    }

    /// `str.lstrip()`.
    public static func lstrip(_ text: String) -> String {
        let s = scalars(text)
        guard let first = s.firstIndex(where: { !isSpace($0) }) else { return "" }
        return string(s[first...])
    }

    /// `str.rstrip()`.
    public static func rstrip(_ text: String) -> String {
        let s = scalars(text)
        guard let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return string(s[...last])
    }

    /// `text.strip() == ""`.
    public static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isSpace)
    }

    // MARK: Strings as code points

    /// A string's code points (what Python indexes, compares and slices).
    public static func codePoints(_ s: String) -> [UInt32] { s.unicodeScalars.map(\.value) }

    public static func string(_ points: some Sequence<UInt32>) -> String {
        var out = String.UnicodeScalarView()
        for p in points { if let scalar = Unicode.Scalar(p) { out.append(scalar) } }
        return String(out)
    }

    /// `str.strip()` with no argument, over code points.
    public static func strip(_ s: ArraySlice<UInt32>) -> ArraySlice<UInt32> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, isSpace(s[lo]) { lo += 1 }
        while hi > lo, isSpace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// Iterating a `StringIO`: lines split after each `\n`, which they keep.
    public static func lines(_ s: [UInt32]) -> [ArraySlice<UInt32>] {
        var out: [ArraySlice<UInt32>] = []
        var start = 0
        for (i, c) in s.enumerated() where c == 0x0A {
            out.append(s[start...i])
            start = i + 1
        }
        if start < s.count { out.append(s[start...]) }
        return out
    }

    // MARK: Digits

    /// `\d` in a str pattern: a Unicode decimal digit (category Nd).
    public static func isDecimal(_ c: UInt32) -> Bool { decimalValue(c) != nil }

    public static func decimalValue(_ c: UInt32) -> Int? {
        if c >= 0x30 && c <= 0x39 { return Int(c - 0x30) }
        guard c >= 0x80, let scalar = Unicode.Scalar(c), scalar.properties.numericType == .decimal,
              let value = scalar.properties.numericValue else { return nil }
        return Int(value)
    }

    /// `"%d" % int(digits)` for a run of decimal digits: ASCII, no leading zeros.
    public static func canonicalInteger(_ digits: ArraySlice<UInt32>) -> [UInt32] {
        var out: [UInt32] = []
        for d in digits {
            let v = UInt32(decimalValue(d) ?? 0)
            if out.isEmpty && v == 0 { continue }
            out.append(0x30 + v)
        }
        return out.isEmpty ? [0x30] : out
    }

    /// `int(digits)`, saturating at `Int.max` (a longer hunk than that can never be complete).
    public static func saturatingInteger(_ digits: ArraySlice<UInt32>) -> Int {
        var value = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(decimalValue(d) ?? 0)
            if o1 || o2 { return Int.max }
            value = a
        }
        return value
    }
}
