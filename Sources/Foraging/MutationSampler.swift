/// Picks which mutations to validate: a seeded shuffle within each operator, then round robin
/// over the operators (sorted by name), so every family gets its share and the same seed gives
/// the same selection.
public enum MutationSampler {
    public static func select(_ mutations: [Mutation], count: Int, seed: UInt64) -> [Mutation] {
        var byOperator: [String: [Mutation]] = [:]
        for m in mutations { byOperator[m.operator, default: []].append(m) }
        var queues: [[Mutation]] = []
        for op in byOperator.keys.sorted() {
            var rng = SplitMix64(seed: seed ^ SplitMix64.hash(op))
            var list = byOperator[op] ?? []
            // Fisher–Yates with a generator of our own: the order must not change between platforms.
            if list.count > 1 {
                for i in stride(from: list.count - 1, to: 0, by: -1) {
                    let j = Int(rng.next() % UInt64(i + 1))
                    list.swapAt(i, j)
                }
            }
            queues.append(list)
        }
        var picked: [Mutation] = []
        var index = 0
        while picked.count < count {
            var progressed = false
            for q in queues where index < q.count && picked.count < count {
                picked.append(q[index])
                progressed = true
            }
            if !progressed { break }
            index += 1
        }
        return picked
    }
}

/// SplitMix64: a small, fixed pseudo-random generator.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &+ 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100000001b3 }
        return h
    }
}
