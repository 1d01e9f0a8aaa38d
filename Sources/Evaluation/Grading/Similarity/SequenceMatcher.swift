import ForagerSupport

/// A port of Python's `difflib.SequenceMatcher(None, a, b, autojunk=False)` over code points:
/// `find_longest_match` with its tie-breaking (the earliest `i`, then the earliest `j`), the
/// recursive matching blocks, and `ratio() = 2·M / T` (1.0 when both are empty).
public struct SequenceMatcher: Sendable {
    public let a: [UInt32]
    public let b: [UInt32]
    /// `b2j`: each element of `b` with its indices in increasing order (no junk, no popular).
    private let b2j: [UInt32: [Int]]

    public init(_ a: String, _ b: String) {
        self.init(codePoints: PythonText.codePoints(a), PythonText.codePoints(b))
    }

    public init(codePoints a: [UInt32], _ b: [UInt32]) {
        self.a = a
        self.b = b
        var b2j: [UInt32: [Int]] = [:]
        for (j, c) in b.enumerated() { b2j[c, default: []].append(j) }
        self.b2j = b2j
    }

    public struct Match: Sendable, Equatable {
        public var a: Int
        public var b: Int
        public var size: Int
    }

    public func findLongestMatch(_ alo: Int, _ ahi: Int, _ blo: Int, _ bhi: Int) -> Match {
        var besti = alo, bestj = blo, bestsize = 0
        // j2len as two rows indexed by j + 1, with the touched slots cleared after each row.
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        var touchedPrevious: [Int] = [], touchedCurrent: [Int] = []
        if alo < ahi {
            for i in alo..<ahi {
                for j in b2j[a[i]] ?? [] {
                    if j < blo { continue }
                    if j >= bhi { break }
                    let k = previous[j] + 1
                    current[j + 1] = k
                    touchedCurrent.append(j + 1)
                    if k > bestsize {
                        besti = i - k + 1
                        bestj = j - k + 1
                        bestsize = k
                    }
                }
                for t in touchedPrevious { previous[t] = 0 }
                swap(&previous, &current)
                touchedPrevious = touchedCurrent
                touchedCurrent.removeAll(keepingCapacity: true)
            }
        }
        // With no junk these extensions never fire; they are kept as in difflib.
        while besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1] {
            besti -= 1; bestj -= 1; bestsize += 1
        }
        while besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize] {
            bestsize += 1
        }
        return Match(a: besti, b: bestj, size: bestsize)
    }

    /// `get_matching_blocks()` without the final sentinel, adjacent blocks collapsed.
    public func matchingBlocks() -> [Match] {
        var queue = [(0, a.count, 0, b.count)]
        var blocks: [Match] = []
        while let (alo, ahi, blo, bhi) = queue.popLast() {
            let m = findLongestMatch(alo, ahi, blo, bhi)
            guard m.size > 0 else { continue }
            blocks.append(m)
            if alo < m.a && blo < m.b { queue.append((alo, m.a, blo, m.b)) }
            if m.a + m.size < ahi && m.b + m.size < bhi { queue.append((m.a + m.size, ahi, m.b + m.size, bhi)) }
        }
        blocks.sort { ($0.a, $0.b, $0.size) < ($1.a, $1.b, $1.size) }
        var collapsed: [Match] = []
        for block in blocks {
            if var last = collapsed.last, last.a + last.size == block.a, last.b + last.size == block.b {
                last.size += block.size
                collapsed[collapsed.count - 1] = last
            } else {
                collapsed.append(block)
            }
        }
        return collapsed
    }

    public func ratio() -> Double {
        let matches = matchingBlocks().reduce(0) { $0 + $1.size }
        let length = a.count + b.count
        return length == 0 ? 1.0 : 2.0 * Double(matches) / Double(length)
    }
}
