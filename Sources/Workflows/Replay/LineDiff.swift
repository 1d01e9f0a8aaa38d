import Grading

/// A unified-style line diff (difflib's `unified_diff` shape: `---`/`+++` headers, `@@` hunks with
/// `context` lines around each change), over Grading's SequenceMatcher with lines as symbols.
public enum LineDiff {
    public static func unified(_ old: String, _ new: String, from: String = "recorded", to: String = "replayed",
                               context: Int = 3) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var ids: [String: UInt32] = [:]
        func id(_ line: String) -> UInt32 {
            if let known = ids[line] { return known }
            let next = UInt32(ids.count)
            ids[line] = next
            return next
        }
        let matcher = SequenceMatcher(codePoints: a.map(id), b.map(id))
        let groups = grouped(opcodes(matcher.matchingBlocks(), a.count, b.count), context: context)
        guard !groups.isEmpty else { return "" }
        var lines = ["--- \(from)", "+++ \(to)"]
        for group in groups {
            guard let first = group.first, let last = group.last else { continue }
            lines.append("@@ -\(range(first.i1, last.i2)) +\(range(first.j1, last.j2)) @@")
            for op in group {
                switch op.tag {
                case .equal: lines += a[op.i1..<op.i2].map { " " + $0 }
                case .delete: lines += a[op.i1..<op.i2].map { "-" + $0 }
                case .insert: lines += b[op.j1..<op.j2].map { "+" + $0 }
                case .replace:
                    lines += a[op.i1..<op.i2].map { "-" + $0 }
                    lines += b[op.j1..<op.j2].map { "+" + $0 }
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    struct Opcode {
        enum Tag { case equal, replace, delete, insert }
        var tag: Tag
        var i1: Int, i2: Int, j1: Int, j2: Int
    }

    /// difflib's `get_opcodes`.
    static func opcodes(_ blocks: [SequenceMatcher.Match], _ n: Int, _ m: Int) -> [Opcode] {
        var i = 0, j = 0
        var out: [Opcode] = []
        for block in blocks.map({ (a: $0.a, b: $0.b, size: $0.size) }) + [(a: n, b: m, size: 0)] {
            if i < block.a && j < block.b {
                out.append(Opcode(tag: .replace, i1: i, i2: block.a, j1: j, j2: block.b))
            } else if i < block.a {
                out.append(Opcode(tag: .delete, i1: i, i2: block.a, j1: j, j2: block.b))
            } else if j < block.b {
                out.append(Opcode(tag: .insert, i1: i, i2: block.a, j1: j, j2: block.b))
            }
            i = block.a + block.size
            j = block.b + block.size
            if block.size > 0 { out.append(Opcode(tag: .equal, i1: block.a, i2: i, j1: block.b, j2: j)) }
        }
        return out
    }

    /// difflib's `get_grouped_opcodes`: changes with `context` equal lines around them.
    static func grouped(_ all: [Opcode], context n: Int) -> [[Opcode]] {
        guard all.contains(where: { $0.tag != .equal }) else { return [] }
        var codes = all
        if let first = codes.first, first.tag == .equal {
            codes[0] = Opcode(tag: .equal, i1: max(first.i1, first.i2 - n), i2: first.i2, j1: max(first.j1, first.j2 - n), j2: first.j2)
        }
        if let last = codes.last, last.tag == .equal {
            codes[codes.count - 1] = Opcode(tag: .equal, i1: last.i1, i2: min(last.i2, last.i1 + n), j1: last.j1, j2: min(last.j2, last.j1 + n))
        }
        var groups: [[Opcode]] = []
        var group: [Opcode] = []
        for var op in codes {
            if op.tag == .equal && op.i2 - op.i1 > 2 * n {
                group.append(Opcode(tag: .equal, i1: op.i1, i2: min(op.i2, op.i1 + n), j1: op.j1, j2: min(op.j2, op.j1 + n)))
                groups.append(group)
                group = []
                op.i1 = max(op.i1, op.i2 - n)
                op.j1 = max(op.j1, op.j2 - n)
            }
            group.append(op)
        }
        if !group.isEmpty && !(group.count == 1 && group[0].tag == .equal) { groups.append(group) }
        return groups
    }

    /// `start,length` as unified diff writes a range (1-based; an empty range names the line before).
    private static func range(_ start: Int, _ stop: Int) -> String {
        let length = stop - start
        if length == 1 { return "\(start + 1)" }
        return "\(length == 0 ? start : start + 1),\(length)"
    }
}
