/// Python `str` semantics the protocol depends on.
///
/// CWM's parser and plugins are Python: they index by code point, strip with `str.isspace`
/// and count non-overlapping substrings. Swift `String` works on grapheme clusters, where
/// `"\r\n"` is a single `Character` and a combining mark merges with the `>` before it, so
/// every protocol-level scan here runs over Unicode scalars instead.
public enum PythonText {
    /// Python's `str.isspace()` (and the `\s` class of `re` for `str` patterns).
    public static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    static func scalars(_ text: String) -> [Unicode.Scalar] {
        Array(text.unicodeScalars)
    }

    static func string<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> String {
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
    static func lstrip(_ text: String) -> String {
        let s = scalars(text)
        guard let first = s.firstIndex(where: { !isSpace($0) }) else { return "" }
        return string(s[first...])
    }

    /// `str.rstrip()`.
    static func rstrip(_ text: String) -> String {
        let s = scalars(text)
        guard let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
        return string(s[...last])
    }

    /// `text.strip() == ""`.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isSpace)
    }
}

/// Substring search over code units or scalars, with Python's `find` / `count` semantics.
enum Occurrences {
    /// `haystack.find(needle, start)`; an empty needle matches at `start` when `start <= count`.
    static func first<T: Equatable>(of needle: [T], in haystack: [T], from start: Int = 0) -> Int? {
        let n = haystack.count, m = needle.count
        guard start <= n else { return nil }
        guard m > 0 else { return start }
        guard m <= n - start else { return nil }
        let lead = needle[0]
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { ndl in
                var i = start
                let lastStart = n - m
                while i <= lastStart {
                    if hay[i] == lead {
                        var j = 1
                        while j < m && hay[i + j] == ndl[j] { j += 1 }
                        if j == m { return i }
                    }
                    i += 1
                }
                return nil
            }
        }
    }

    /// Every start index, advancing one element after each hit (so overlapping hits count).
    static func allOverlapping<T: Equatable>(of needle: [T], in haystack: [T]) -> [Int] {
        var result: [Int] = []
        var start = 0
        while let index = first(of: needle, in: haystack, from: start) {
            result.append(index)
            start = index + 1
        }
        return result
    }

    /// `haystack.count(needle)` for a non-empty needle: non-overlapping occurrences.
    static func countNonOverlapping<T: Equatable>(of needle: [T], in haystack: [T]) -> Int {
        precondition(!needle.isEmpty, "Python counts an empty needle differently; not needed here")
        var count = 0
        var start = 0
        while let index = first(of: needle, in: haystack, from: start) {
            count += 1
            start = index + needle.count
        }
        return count
    }

    static func contains<T: Equatable>(_ needle: [T], in haystack: [T]) -> Bool {
        first(of: needle, in: haystack) != nil
    }
}
