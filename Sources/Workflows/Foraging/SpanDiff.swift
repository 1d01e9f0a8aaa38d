/// The unified diff of a file changed by edits at known positions: only the lines the edits
/// touch change, so each changed region is known exactly and no general diff is needed. Gives the
/// bug (original → mutated) and its reverse (the gold fix) from the same hunks.
public struct SpanDiff: Sendable {
    struct Region {
        var oldFirst: Int  // 0-based line index
        var oldLines: [[UInt8]]
        var newLines: [[UInt8]]
    }

    public let path: String
    private let oldFileLines: [[UInt8]]
    private let regions: [Region]
    public let context: Int

    /// `original` is the file's bytes; `edits` the mutation (positions as `EditApplication` checks them).
    public init(path: String, original: [UInt8], edits: [SourceEdit], context: Int = 3) throws(EditError) {
        self.path = path
        self.context = context
        let starts = EditApplication.lineStarts(original)
        oldFileLines = Self.split(original, starts: starts)
        // Lines touched by each edit (0-based, inclusive), merged when they overlap or touch.
        var spans: [(Int, Int, [SourceEdit])] = []
        for e in edits.sorted(by: { $0.start < $1.start }) {
            let first = Self.lineIndex(of: e.start, starts: starts)
            let last = e.end > e.start ? Self.lineIndex(of: e.end - 1, starts: starts) : first
            if let previous = spans.last, first <= previous.1 {
                spans[spans.count - 1] = (previous.0, max(previous.1, last), previous.2 + [e])
            } else {
                spans.append((first, last, [e]))
            }
        }
        var regions: [Region] = []
        for (first, last, group) in spans {
            let a = starts[first], b = last + 1 < starts.count ? starts[last + 1] : original.count
            let chunk = Array(original[a..<b])
            var shifted = group
            for i in shifted.indices { shifted[i].start -= a; shifted[i].end -= a }
            var changed = chunk
            for e in shifted.sorted(by: { $0.start > $1.start }) { changed.replaceSubrange(e.start..<e.end, with: Array(e.text.utf8)) }
            regions.append(Region(oldFirst: first, oldLines: Array(oldFileLines[first...last]),
                                  newLines: Self.split(changed, starts: EditApplication.lineStarts(changed))))
        }
        self.regions = regions
    }

    /// original → mutated (the bug).
    public var forward: String { render(reverse: false) }
    /// mutated → original (the fix).
    public var reverse: String { render(reverse: true) }

    private func render(reverse: Bool) -> String {
        guard !regions.isEmpty else { return "" }
        var out = "diff --git a/\(path) b/\(path)\n--- a/\(path)\n+++ b/\(path)\n"
        // Group regions whose context would overlap into one hunk.
        var groups: [[Region]] = []
        for r in regions {
            if let last = groups.last?.last, r.oldFirst - (last.oldFirst + last.oldLines.count) <= 2 * context {
                groups[groups.count - 1].append(r)
            } else {
                groups.append([r])
            }
        }
        var delta = 0  // new line index − old line index before the current hunk
        for group in groups {
            guard let firstRegion = group.first, let lastRegion = group.last else { continue }
            let hunkStart = max(0, firstRegion.oldFirst - context)
            let hunkEnd = min(oldFileLines.count, lastRegion.oldFirst + lastRegion.oldLines.count + context)
            var body: [(Character, [UInt8])] = []
            var cursor = hunkStart, oldCount = 0, newCount = 0, groupDelta = 0
            for r in group {
                while cursor < r.oldFirst { body.append((" ", oldFileLines[cursor])); cursor += 1; oldCount += 1; newCount += 1 }
                let minus = reverse ? r.newLines : r.oldLines, plus = reverse ? r.oldLines : r.newLines
                for l in minus { body.append(("-", l)) }
                for l in plus { body.append(("+", l)) }
                oldCount += minus.count
                newCount += plus.count
                groupDelta += plus.count - minus.count
                cursor = r.oldFirst + r.oldLines.count
            }
            while cursor < hunkEnd { body.append((" ", oldFileLines[cursor])); cursor += 1; oldCount += 1; newCount += 1 }
            // In the reverse direction the "old" side is the mutated file, whose line numbers are shifted.
            let oldStart = reverse ? hunkStart + delta : hunkStart
            let newStart = reverse ? hunkStart : hunkStart + delta
            out += "@@ -\(Self.range(oldStart, oldCount)) +\(Self.range(newStart, newCount)) @@\n"
            for (sign, line) in body {
                out.append(sign)
                out += String(decoding: line, as: UTF8.self)
                if line.last != 0x0A && line.last != 0x0D { out += "\n\\ No newline at end of file\n" }
            }
            delta += reverse ? -groupDelta : groupDelta
        }
        return out
    }

    private static func range(_ start0: Int, _ count: Int) -> String {
        count == 0 ? "\(start0),0" : (count == 1 ? "\(start0 + 1)" : "\(start0 + 1),\(count)")
    }

    private static func split(_ bytes: [UInt8], starts: [Int]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for i in 0..<(starts.count - 1) where starts[i] < starts[i + 1] { lines.append(Array(bytes[starts[i]..<starts[i + 1]])) }
        return lines
    }

    private static func lineIndex(of offset: Int, starts: [Int]) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return min(lo, max(0, starts.count - 2))
    }
}
