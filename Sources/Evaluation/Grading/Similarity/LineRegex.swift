import ForagerSupport

/// A small backtracking matcher for the handful of line regexes unidiff uses, with Python `re`
/// semantics: anchored at the start (`re.match`), greedy and lazy repeats tried in Python's order,
/// the first successful path wins, and `$` matches at the end or before a final `\n`.
indirect enum RegexNode: Sendable {
    case literal([UInt32])
    case repeated(min: Int, max: Int?, greedy: Bool, @Sendable (UInt32) -> Bool)
    case sequence([RegexNode])
    case optional(RegexNode, greedy: Bool)
    case alternation([RegexNode])
    case capture(Int, RegexNode)
    case endOfLine

    static func lit(_ s: String) -> RegexNode { .literal(PythonText.codePoints(s)) }
    static func some(_ test: @escaping @Sendable (UInt32) -> Bool, lazy: Bool = false) -> RegexNode {
        .repeated(min: 1, max: nil, greedy: !lazy, test)
    }
    static func any(_ test: @escaping @Sendable (UInt32) -> Bool) -> RegexNode {
        .repeated(min: 0, max: nil, greedy: true, test)
    }
}

struct LineRegex: Sendable {
    typealias Captures = [Range<Int>?]
    let root: RegexNode
    let groups: Int

    init(groups: Int, _ nodes: RegexNode...) {
        self.groups = groups
        self.root = .sequence(nodes)
    }

    /// The capture ranges (index 1…groups; index 0 is the whole match), or nil without a match.
    func match(_ s: ArraySlice<UInt32>) -> Captures? {
        let text = Array(s)
        let initial = Captures(repeating: nil, count: groups + 1)
        return Self.run(root, text, 0, initial) { end, caps in
            var done = caps
            done[0] = 0..<end
            return done
        }
    }

    func group(_ captures: Captures, _ index: Int, in s: ArraySlice<UInt32>) -> ArraySlice<UInt32>? {
        guard let r = captures[index] else { return nil }
        return s[(s.startIndex + r.lowerBound)..<(s.startIndex + r.upperBound)]
    }

    private typealias Next = (Int, Captures) -> Captures?

    private static func run(_ node: RegexNode, _ s: [UInt32], _ i: Int, _ caps: Captures, _ next: Next) -> Captures? {
        switch node {
        case .literal(let lit):
            guard i + lit.count <= s.count else { return nil }
            for (k, c) in lit.enumerated() where s[i + k] != c { return nil }
            return next(i + lit.count, caps)
        case .repeated(let lo, let hi, let greedy, let test):
            var count = 0
            while i + count < s.count, hi.map({ count < $0 }) ?? true, test(s[i + count]) { count += 1 }
            guard count >= lo else { return nil }
            let order = greedy ? Array((lo...count).reversed()) : Array(lo...count)
            for n in order { if let r = next(i + n, caps) { return r } }
            return nil
        case .sequence(let nodes):
            return runSequence(nodes[...], s, i, caps, next)
        case .optional(let inner, let greedy):
            if greedy {
                return run(inner, s, i, caps, next) ?? next(i, caps)
            }
            return next(i, caps) ?? run(inner, s, i, caps, next)
        case .alternation(let options):
            for option in options { if let r = run(option, s, i, caps, next) { return r } }
            return nil
        case .capture(let index, let inner):
            return run(inner, s, i, caps) { end, inner in
                var updated = inner
                updated[index] = i..<end
                return next(end, updated)
            }
        case .endOfLine:
            guard i == s.count || (i == s.count - 1 && s[i] == 0x0A) else { return nil }
            return next(i, caps)
        }
    }

    private static func runSequence(_ nodes: ArraySlice<RegexNode>, _ s: [UInt32], _ i: Int, _ caps: Captures,
                                    _ next: Next) -> Captures? {
        guard let first = nodes.first else { return next(i, caps) }
        return run(first, s, i, caps) { j, c in runSequence(nodes.dropFirst(), s, j, c, next) }
    }
}
