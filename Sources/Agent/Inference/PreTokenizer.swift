/// Pre-tokenization: splitting text into words before BPE. These are hand-written matchers for
/// the regular expressions the models were trained with, following llama.cpp's own hand-written
/// versions (so the ids agree with llama.cpp's, including at segment ends).
public enum PreTokenizer: String, Sendable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// SmolLM / StarCoder: every digit on its own first (`\p{N}`), then GPT-2 within the pieces.
    case smollm
    /// Llama 3 / CWM (tiktoken's cl100k-style pattern):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// Qwen2: Llama 3's pattern with every digit on its own (`\p{N}` instead of `\p{N}{1,3}`):
    /// `(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case qwen2

    /// llama.cpp's `tokenizer.ggml.pre` names mapped to the matcher they use.
    public init?(ggmlName: String) {
        switch ggmlName {
        case "gpt-2", "gpt2", "default", "mpt", "olmo", "jais": self = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva": self = .smollm
        case "llama3", "llama-v3", "llama-bpe", "llama3-bpe", "falcon3", "cwm", "dbrx", "smaug-bpe", "pixtral": self = .llama3
        case "qwen2", "deepseek-r1-qwen": self = .qwen2
        default: return nil
        }
    }

    /// Splits `scalars` into words, returned as ranges of scalar indices.
    public func split(_ cpts: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        out.reserveCapacity(cpts.count / 3 + 1)
        switch self {
        case .gpt2: Self.gpt2(cpts, 0..<cpts.count, &out)
        case .llama3: Self.llama3(cpts, 0..<cpts.count, digitRun: 3, &out)
        case .qwen2: Self.llama3(cpts, 0..<cpts.count, digitRun: 1, &out)
        case .smollm:
            var start = 0
            for i in 0..<cpts.count where Flags(cpts[i]).isNumber {
                if start < i { Self.gpt2(cpts, start..<i, &out) }
                out.append(i..<(i + 1))
                start = i + 1
            }
            if start < cpts.count { Self.gpt2(cpts, start..<cpts.count, &out) }
        }
        return out
    }

    struct Flags {
        var isLetter = false, isNumber = false, isWhitespace = false, inRange = false
        init() {}
        init(_ c: Unicode.Scalar) {
            inRange = true
            if c.value < 0x80 {
                let v = c.value
                isLetter = (v >= 65 && v <= 90) || (v >= 97 && v <= 122)
                isNumber = v >= 48 && v <= 57
                isWhitespace = v == 32 || (v >= 9 && v <= 13)
                return
            }
            let p = c.properties
            switch p.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: isLetter = true
            case .decimalNumber, .letterNumber, .otherNumber: isNumber = true
            default: break
            }
            isWhitespace = p.isWhitespace
        }
        var isOther: Bool { inRange && !(isLetter || isNumber || isWhitespace) }
    }

    private static func gpt2(_ c: [Unicode.Scalar], _ seg: Range<Int>, _ out: inout [Range<Int>]) {
        let end = seg.upperBound
        func flags(_ i: Int) -> Flags { i < end && i >= seg.lowerBound ? Flags(c[i]) : Flags() }
        func cpt(_ i: Int) -> UInt32? { i < end ? c[i].value : nil }
        var prev = seg.lowerBound
        var pos = seg.lowerBound
        func add(_ e: Int) { if prev < e { out.append(prev..<e) }; prev = e; pos = e }
        while pos < end {
            let ch = c[pos].value
            let f = Flags(c[pos])
            if let length = contraction(c, at: pos, end: end, caseInsensitive: false) { add(pos + length); continue }
            var f2 = ch == 0x20 ? flags(pos + 1) : f
            if f2.isLetter {
                var p = pos + (ch == 0x20 ? 1 : 0)
                while flags(p).isLetter { p += 1 }
                add(p); continue
            }
            if f2.isNumber {
                var p = pos + (ch == 0x20 ? 1 : 0)
                while flags(p).isNumber { p += 1 }
                add(p); continue
            }
            if f2.isOther {
                var p = pos + (ch == 0x20 ? 1 : 0)
                while f2.isOther { p += 1; f2 = flags(p) }
                add(p); continue
            }
            var nws = 0
            while flags(pos + nws).isWhitespace { nws += 1 }
            if nws > 1, cpt(pos + nws) != nil { add(pos + nws - 1); continue }
            if nws > 0 { add(pos + nws); continue }
            add(pos + 1)
        }
    }

    private static func lower(_ v: UInt32) -> UInt32 { (v >= 65 && v <= 90) ? v + 32 : v }

    /// The length of an English contraction at `pos` (`'s 't 'm 'd` or `'re 've 'll`), as both
    /// pre-tokenizer regexes match it first; Llama-3's matches it case-insensitively.
    @inline(__always)
    private static func contraction(_ c: [Unicode.Scalar], at pos: Int, end: Int, caseInsensitive: Bool) -> Int? {
        guard c[pos].value == 0x27, pos + 1 < end else { return nil }
        let n = caseInsensitive ? lower(c[pos + 1].value) : c[pos + 1].value
        if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 { return 2 }  // s t m d
        guard pos + 2 < end else { return nil }
        let nn = caseInsensitive ? lower(c[pos + 2].value) : c[pos + 2].value
        if (n == 0x72 && nn == 0x65) || (n == 0x76 && nn == 0x65) || (n == 0x6C && nn == 0x6C) { return 3 }  // re ve ll
        return nil
    }

    /// Llama 3's matcher; `digitRun` is the longest run of digits one word takes (Llama 3: 3, Qwen2: 1).
    private static func llama3(_ c: [Unicode.Scalar], _ seg: Range<Int>, digitRun: Int, _ out: inout [Range<Int>]) {
        let end = seg.upperBound
        func flags(_ i: Int) -> Flags { i < end && i >= seg.lowerBound ? Flags(c[i]) : Flags() }
        func cpt(_ i: Int) -> UInt32? { i < end ? c[i].value : nil }
        var prev = seg.lowerBound
        var pos = seg.lowerBound
        func add(_ e: Int) { if prev < e { out.append(prev..<e) }; prev = e; pos = e }
        while pos < end {
            let ch = c[pos].value
            let f = Flags(c[pos])
            if let length = contraction(c, at: pos, end: end, caseInsensitive: true) { add(pos + length); continue }
            if !(ch == 0x0D || ch == 0x0A || f.isNumber) {
                if f.isLetter || flags(pos + 1).isLetter {
                    var p = pos + 1
                    while flags(p).isLetter { p += 1 }
                    add(p); continue
                }
            }
            if f.isNumber {
                var p = pos
                var ini = pos
                while flags(p).isNumber {
                    p += 1
                    if p - ini >= digitRun { add(p); ini = p }
                }
                add(p); continue
            }
            var f2 = ch == 0x20 ? flags(pos + 1) : f
            if f2.isOther && f.inRange {
                var p = pos + (ch == 0x20 ? 1 : 0)
                while f2.isOther { p += 1; f2 = flags(p) }
                while let c2 = cpt(p), c2 == 0x0D || c2 == 0x0A { p += 1 }
                add(p); continue
            }
            var nws = 0
            var lastNL = 0
            while flags(pos + nws).isWhitespace {
                let c2 = c[pos + nws].value
                if c2 == 0x0D || c2 == 0x0A { lastNL = pos + nws + 1 }
                nws += 1
            }
            if lastNL > 0 { add(lastNL); continue }
            if nws > 1, cpt(pos + nws) != nil { add(pos + nws - 1); continue }
            if nws > 0 { add(pos + nws); continue }
            add(pos + 1)
        }
    }
}
