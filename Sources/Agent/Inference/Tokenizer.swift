import Foundation

/// Byte-level BPE (GPT-2 / Llama 3 / CWM style) with special tokens.
///
/// Ordinary `encode` never yields a control token: text such as `<|eot_id|>` is tokenized as plain
/// characters. Only `encode(_:parseSpecial: true)` turns special-token text into special ids.
/// User-defined tokens (GGUF token type 4, e.g. Qwen's `<tool_call>`) are the exception: as in
/// llama.cpp and Hugging Face's added tokens, their text always becomes their id.
public final class Tokenizer: @unchecked Sendable {
    public let preTokenizer: PreTokenizer
    /// Raw bytes of each token (special tokens: their text).
    public let tokenBytes: [[UInt8]]
    /// Ids of special (control) tokens, by their text.
    public let specialTokens: [String: Int]
    public let isSpecial: [Bool]
    public let bosId: Int?
    public let eosId: Int?
    public let eotIds: Set<Int>
    /// Whether prompts start with BOS (`tokenizer.ggml.add_bos_token`).
    public let addBOS: Bool
    /// Text longer than this many characters (Unicode scalars) is encoded in independent chunks,
    /// as CWM's tokenizer does (spec §3.1). nil: no chunking.
    public var chunkCharacters: Int?

    private let byteToken: [Int]                  // byte value -> id of its single-byte token
    private let merges: [UInt64: UInt64]          // (left id << 32 | right id) -> (rank << 32 | merged id)
    private let specialByLength: [(String, Int)]  // longest first
    private let specialsByFirstByte: [[([UInt8], Int)]]
    /// The user-defined tokens, bucketed as `specialsByFirstByte`; empty when there are none.
    private let alwaysParsedByFirstByte: [[([UInt8], Int)]]
    /// Special tokens that are user-defined (GGUF token type 4, e.g. Qwen's `<tool_call>`): text,
    /// kept by `decode(skipSpecial:)` as llama.cpp keeps them; control tokens are dropped.
    private let userDefinedIDs: Set<Int>

    public var count: Int { tokenBytes.count }

    /// - tokens: token strings in byte-level form (GPT-2's bytes-to-unicode mapping), except
    ///   special tokens which are literal text; as UTF-8 bytes.
    /// - merges: "left right" pairs in rank order, in byte-level form, as UTF-8 bytes.
    public init(tokenBytes tokens: [[UInt8]], special: Set<Int>, merges mergeLines: [[UInt8]], preTokenizer: PreTokenizer,
                bosId: Int?, eosId: Int?, eotIds: Set<Int> = [], addBOS: Bool, chunkCharacters: Int? = nil,
                userDefined: Set<Int> = []) throws {
        self.preTokenizer = preTokenizer
        self.bosId = bosId
        self.eosId = eosId
        self.eotIds = eotIds
        self.addBOS = addBOS
        self.chunkCharacters = chunkCharacters
        let decodeMap = ByteLevel.unicodeToByteTable
        var bytes: [[UInt8]] = []
        bytes.reserveCapacity(tokens.count)
        // Keyed by a 64-bit FNV-1a hash of the bytes (hashing byte arrays through Hasher is the
        // slowest part of loading); a hit is confirmed against the bytes.
        var idByHash: [UInt64: Int] = [:]
        idByHash.reserveCapacity(tokens.count)
        func lookup(_ b: ArraySlice<UInt8>) -> Int? {
            guard let i = idByHash[fnv1a(b)], tokens[i].elementsEqual(b) else { return nil }
            return i
        }
        var specials: [String: Int] = [:]
        var isSpecial = [Bool](repeating: false, count: tokens.count)
        for (i, t) in tokens.enumerated() {
            if special.contains(i) {
                bytes.append(t)
                specials[String(decoding: t, as: UTF8.self)] = i
                isSpecial[i] = true
            } else {
                var b: [UInt8] = []
                b.reserveCapacity(t.count)
                for s in String(decoding: t, as: UTF8.self).unicodeScalars {
                    let v = Int(s.value)
                    if v < decodeMap.count, decodeMap[v] >= 0 { b.append(UInt8(decodeMap[v])) } else { b.append(contentsOf: Array(String(s).utf8)) }
                }
                bytes.append(b)
                let h = fnv1a(t[...])
                if idByHash[h] == nil { idByHash[h] = i }
            }
        }
        tokenBytes = bytes
        specialTokens = specials
        self.isSpecial = isSpecial
        let byLength = specials.sorted { $0.key.utf8.count > $1.key.utf8.count }
        specialByLength = byLength
        func buckets(_ ids: (Int) -> Bool) -> [[([UInt8], Int)]] {
            var b = [[([UInt8], Int)]](repeating: [], count: 256)
            for (s, id) in byLength where !s.isEmpty && ids(id) { if let first = s.utf8.first { b[Int(first)].append((Array(s.utf8), id)) } }
            return b
        }
        specialsByFirstByte = buckets { _ in true }
        alwaysParsedByFirstByte = userDefined.isEmpty ? [] : buckets { userDefined.contains($0) }
        userDefinedIDs = userDefined
        var bt = [Int](repeating: -1, count: 256)
        for b in 0..<256 {
            if let scalar = Unicode.Scalar(ByteLevel.byteToUnicode[b]), let id = lookup(Array(String(Character(scalar)).utf8)[...]) { bt[b] = id }
        }
        byteToken = bt
        var m: [UInt64: UInt64] = [:]
        m.reserveCapacity(mergeLines.count)
        for (rank, line) in mergeLines.enumerated() {
            // The separator is the first space after the first byte ("Ġ Ġ" style pairs never
            // contain a raw space otherwise).
            guard line.count >= 3, let sp = line[1...].firstIndex(of: 0x20) else { continue }
            var joined = line
            joined.remove(at: sp)
            guard let ia = lookup(line[..<sp]), let ib = lookup(line[(sp + 1)...]), let im = lookup(joined[...]) else { continue }
            let key = UInt64(ia) << 32 | UInt64(ib)
            if m[key] == nil { m[key] = UInt64(rank) << 32 | UInt64(im) }
        }
        merges = m
    }

    public convenience init(tokens: [String], special: Set<Int>, merges: [String], preTokenizer: PreTokenizer,
                            bosId: Int?, eosId: Int?, eotIds: Set<Int> = [], addBOS: Bool, chunkCharacters: Int? = nil) throws {
        try self.init(tokenBytes: tokens.map { Array($0.utf8) }, special: special, merges: merges.map { Array($0.utf8) },
                      preTokenizer: preTokenizer, bosId: bosId, eosId: eosId, eotIds: eotIds, addBOS: addBOS,
                      chunkCharacters: chunkCharacters)
    }

    // MARK: encoding

    /// Token ids of `text`. With `parseSpecial`, special-token text becomes the special id;
    /// otherwise it is ordinary text (but for user-defined tokens). BOS is never added here (see `encodePrompt`).
    public func encode(_ text: String, parseSpecial: Bool = false) -> [Int] {
        var out: [Int] = []
        let candidates = parseSpecial ? specialsByFirstByte : alwaysParsedByFirstByte
        if !candidates.isEmpty && !specialByLength.isEmpty {
            // One pass over the bytes; at each byte only the special tokens starting with it are
            // tried, longest first (CWM has 256 of them, all starting with "<|").
            let bytes = Array(text.utf8)
            var segmentStart = 0
            var i = 0
            while i < bytes.count {
                var matched: (Int, Int)?
                for (s, id) in candidates[Int(bytes[i])] where i + s.count <= bytes.count {
                    if bytes[i..<(i + s.count)].elementsEqual(s) { matched = (s.count, id); break }
                }
                if let (len, id) = matched {
                    if segmentStart < i { encodeChunked(String(decoding: bytes[segmentStart..<i], as: UTF8.self), into: &out) }
                    out.append(id)
                    i += len
                    segmentStart = i
                } else {
                    i += 1
                }
            }
            if segmentStart < bytes.count { encodeChunked(String(decoding: bytes[segmentStart...], as: UTF8.self), into: &out) }
        } else {
            encodeChunked(text, into: &out)
        }
        return out
    }

    /// BOS (when the model wants it) followed by `encode(text, parseSpecial:)`.
    public func encodePrompt(_ text: String, parseSpecial: Bool = true) -> [Int] {
        var ids: [Int] = []
        if addBOS, let b = bosId { ids.append(b) }
        ids += encode(text, parseSpecial: parseSpecial)
        return ids
    }

    private func encodeChunked(_ text: String, into out: inout [Int]) {
        let scalars = Array(text.unicodeScalars)
        if let n = chunkCharacters, scalars.count > n {
            var i = 0
            while i < scalars.count {
                encodeScalars(Array(scalars[i..<min(i + n, scalars.count)]), into: &out)
                i += n
            }
        } else {
            encodeScalars(scalars, into: &out)
        }
    }

    private func encodeScalars(_ scalars: [Unicode.Scalar], into out: inout [Int]) {
        var word: [UInt8] = []
        for r in preTokenizer.split(scalars) {
            word.removeAll(keepingCapacity: true)
            for s in scalars[r] { appendUTF8(s, &word) }
            bpe(word, into: &out)
        }
    }

    private func appendUTF8(_ s: Unicode.Scalar, _ b: inout [UInt8]) {
        let v = s.value
        if v < 0x80 { b.append(UInt8(v)) }
        else if v < 0x800 { b.append(UInt8(0xC0 | (v >> 6))); b.append(UInt8(0x80 | (v & 0x3F))) }
        else if v < 0x10000 {
            b.append(UInt8(0xE0 | (v >> 12))); b.append(UInt8(0x80 | ((v >> 6) & 0x3F))); b.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            b.append(UInt8(0xF0 | (v >> 18))); b.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            b.append(UInt8(0x80 | ((v >> 6) & 0x3F))); b.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Merges the lowest-ranked adjacent pair (leftmost on ties) until none applies.
    private func bpe(_ word: [UInt8], into out: inout [Int]) {
        var syms = word.map { byteToken[Int($0)] }
        if syms.contains(-1) { syms = syms.filter { $0 >= 0 } } // bytes the vocabulary lacks are dropped
        if syms.count < 2 { out += syms; return }
        if syms.count > 24 { bpeLong(syms, into: &out); return }
        var best = UInt64.max, at = -1
        func scan() {
            best = .max; at = -1
            for i in 0..<(syms.count - 1) {
                if let v = merges[UInt64(syms[i]) << 32 | UInt64(syms[i + 1])], at < 0 || v >> 32 < best >> 32 {
                    best = v; at = i
                }
            }
        }
        scan()
        while at >= 0 {
            syms[at] = Int(best & 0xFFFF_FFFF)
            syms.remove(at: at + 1)
            if syms.count < 2 { break }
            scan()
        }
        out += syms
    }

    /// The same merge order for long words (minified code, base64, long runs) in O(n log n):
    /// a heap of candidate pairs ordered by rank, then position, over a linked list of symbols.
    private func bpeLong(_ initial: [Int], into out: inout [Int]) {
        var ids = initial
        let n = ids.count
        var prev = Array(-1..<(n - 1)), next = Array(1...n)
        next[n - 1] = -1
        var heap = PairHeap()
        func push(_ i: Int) {
            let j = next[i]
            guard i >= 0, j >= 0, let v = merges[UInt64(ids[i]) << 32 | UInt64(ids[j])] else { return }
            heap.push(.init(rank: Int(v >> 32), pos: i, left: ids[i], right: ids[j], merged: Int(v & 0xFFFF_FFFF)))
        }
        for i in 0..<(n - 1) { push(i) }
        while let e = heap.pop() {
            let j = next[e.pos]
            guard ids[e.pos] == e.left, j >= 0, ids[j] == e.right else { continue } // stale
            ids[e.pos] = e.merged
            ids[j] = -1
            next[e.pos] = next[j]
            if next[j] >= 0 { prev[next[j]] = e.pos }
            if prev[e.pos] >= 0 { push(prev[e.pos]) }
            push(e.pos)
        }
        var i = 0
        while i >= 0 { out.append(ids[i]); i = next[i] }
    }

    // MARK: decoding

    /// The bytes of `ids` as text (invalid UTF-8 is repaired). Special tokens are rendered as
    /// their text unless `skipSpecial`, which drops control tokens (`<|im_end|>`, EOS) and keeps
    /// user-defined ones, as llama.cpp's detokenizer does without `special`.
    public func decode(_ ids: [Int], skipSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(ids, skipSpecial: skipSpecial), as: UTF8.self)
    }

    public func decodeBytes(_ ids: [Int], skipSpecial: Bool = false) -> [UInt8] {
        var b: [UInt8] = []
        for id in ids where id >= 0 && id < tokenBytes.count {
            if skipSpecial && isSpecial[id] && !userDefinedIDs.contains(id) { continue }
            b += tokenBytes[id]
        }
        return b
    }

    /// Text of one token, for display.
    public func piece(_ id: Int) -> String { decode([id]) }
}

@inline(__always)
func fnv1a(_ b: ArraySlice<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for x in b { h = (h ^ UInt64(x)) &* 0x100_0000_01b3 }
    return h
}

/// GPT-2's reversible mapping of bytes to printable Unicode characters.
enum ByteLevel {
    static let byteToUnicode: [UInt32] = {
        var m = [UInt32](repeating: 0, count: 256)
        var n: UInt32 = 0
        for b in 0..<256 {
            if (33...126).contains(b) || (161...172).contains(b) || (174...255).contains(b) { m[b] = UInt32(b) }
            else { m[b] = 256 + n; n += 1 }
        }
        return m
    }()
    /// Indexed by scalar value (all mapped scalars are below 324); -1 where unmapped.
    static let unicodeToByteTable: [Int16] = {
        var d = [Int16](repeating: -1, count: 324)
        for (b, u) in byteToUnicode.enumerated() { d[Int(u)] = Int16(b) }
        return d
    }()
}

/// Streams decoded text as tokens arrive, holding back bytes of an incomplete UTF-8 sequence.
public struct TextStreamer {
    private var pending: [UInt8] = []
    public init() {}
    public mutating func push(_ bytes: [UInt8]) -> String {
        pending += bytes
        var cut = pending.count
        // Find the start of a trailing incomplete sequence.
        var i = pending.count - 1
        var back = 0
        while i >= 0 && back < 4 {
            let b = pending[i]
            if b & 0xC0 == 0x80 { i -= 1; back += 1; continue }
            let need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            if need > back + 1 { cut = i }
            break
        }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }
    public mutating func flush() -> String { defer { pending = [] }; return String(decoding: pending, as: UTF8.self) }
}


/// A binary min-heap of merge candidates (rank, then leftmost position).
struct PairHeap {
    struct Entry { let rank: Int; let pos: Int; let left: Int; let right: Int; let merged: Int }
    private var a: [Entry] = []
    private static func less(_ x: Entry, _ y: Entry) -> Bool { x.rank < y.rank || (x.rank == y.rank && x.pos < y.pos) }

    mutating func push(_ e: Entry) {
        a.append(e)
        var i = a.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if !Self.less(a[i], a[p]) { break }
            a.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Entry? {
        guard let top = a.first else { return nil }
        let last = a.removeLast()
        if !a.isEmpty {
            a[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < a.count && Self.less(a[l], a[m]) { m = l }
                if r < a.count && Self.less(a[r], a[m]) { m = r }
                if m == i { break }
                a.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
