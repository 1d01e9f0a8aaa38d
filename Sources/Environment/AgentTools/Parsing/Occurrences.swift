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
