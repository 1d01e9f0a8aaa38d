/// Restricts generation to texts a grammar accepts (`GenerationOptions.constraint`).
///
/// The sampler asks about the text generated so far with one candidate token appended (the bytes
/// as decoded); a token whose text is not a viable prefix is never chosen, and a stop token only
/// once the text is complete. The sampler picks among the allowed tokens of its usual candidates
/// (most likely first), so the constraint changes the model's distribution.
public protocol TokenConstraint: Sendable {
    func verdict(_ text: [UInt8]) -> ConstraintVerdict
    /// Bytes that, appended to `text` (viable), make it complete, when a short closing exists;
    /// nil otherwise. When the token budget left is no more than the closing's tokens, generation
    /// writes the closing instead of sampling, so a turn cut by its length limit still completes.
    func closing(_ text: [UInt8]) -> [UInt8]?
}

extension TokenConstraint {
    public func closing(_ text: [UInt8]) -> [UInt8]? { nil }
}

public enum ConstraintVerdict: Sendable, Equatable {
    /// Not a prefix of any accepted text.
    case invalid
    /// A prefix of an accepted text; generation must go on.
    case viable
    /// Accepted as it is; only a stop token may follow.
    case complete
}

extension Sampler {
    /// Samples from `logits` limited to the tokens `allowed` accepts: the most likely
    /// `candidates` are tried first; when none of them is allowed, the whole vocabulary is searched
    /// (most likely first). Returns nil when no token at all is allowed.
    mutating func sample(_ logits: UnsafeBufferPointer<Float>, candidates: Int = 64, allowed: (Int) -> Bool) -> Int? {
        let order = Self.topIndices(logits, count: min(candidates, logits.count))
        var kept = order.filter(allowed)
        if kept.isEmpty {
            let all = (0..<logits.count).sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            guard let first = all.first(where: allowed) else { return nil }
            kept = [first]
        }
        var masked = [Float](repeating: -.infinity, count: logits.count)
        for i in kept { masked[i] = logits[i] }
        return masked.withUnsafeBufferPointer { sample($0) }
    }

    /// The `count` indices of the largest logits, largest first (lowest id on ties).
    static func topIndices(_ logits: UnsafeBufferPointer<Float>, count k: Int) -> [Int] {
        guard k > 0 else { return [] }
        func before(_ a: Int, _ b: Int) -> Bool { logits[a] > logits[b] || (logits[a] == logits[b] && a < b) }
        var idx: [Int] = []
        idx.reserveCapacity(k + 1)
        for i in 0..<logits.count {
            if idx.count == k, !before(i, idx[k - 1]) { continue }
            var at = idx.count
            while at > 0 && before(i, idx[at - 1]) { at -= 1 }
            idx.insert(i, at: at)
            if idx.count > k { idx.removeLast() }
        }
        return idx
    }
}
