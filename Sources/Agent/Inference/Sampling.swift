import Foundation

/// How the next token is chosen. Temperature 0 is greedy (argmax, lowest id on ties).
public struct SamplingParameters: Sendable, Equatable {
    public var temperature: Float
    /// Keep only the k most likely tokens (0: all).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches p (1: all).
    public var topP: Float
    public var seed: UInt64

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    public static let greedy = SamplingParameters()
}

/// A seeded sampler (SplitMix64), so a seed reproduces a generation exactly.
public struct Sampler {
    public let parameters: SamplingParameters
    private var state: UInt64

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        state = parameters.seed &+ 0x9E37_79B9_7F4A_7C15
    }

    mutating func nextUniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }

    public static func argmax(_ logits: [Float]) -> Int {
        logits.withUnsafeBufferPointer { argmax($0) }
    }

    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        var bv = -Float.infinity
        for i in 0..<logits.count where logits[i] > bv { bv = logits[i]; best = i }
        return best
    }

    public mutating func sample(_ logits: [Float]) -> Int {
        logits.withUnsafeBufferPointer { sample($0) }
    }

    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let p = parameters
        if p.temperature <= 0 || p.topK == 1 { return Self.argmax(logits) }
        func before(_ a: Int, _ b: Int) -> Bool { logits[a] > logits[b] || (logits[a] == logits[b] && a < b) }
        // Candidates, most likely first: the top k, or every token within e^-30 of the best
        // (the rest cannot be drawn in practice), so the vocabulary is never fully sorted.
        var idx: [Int] = []
        if p.topK > 0 {
            idx = Self.topIndices(logits, count: min(p.topK, logits.count))
        } else {
            let best = logits[Self.argmax(logits)]
            let floor = best - 30 * p.temperature
            for i in 0..<logits.count where logits[i] >= floor { idx.append(i) }
            idx.sort(by: before)
        }
        let maxL = logits[idx[0]]
        var probs = idx.map { Double(exp((logits[$0] - maxL) / p.temperature)) }
        var total = probs.reduce(0, +)
        if p.topP < 1 {
            var cum = 0.0
            var keep = probs.count
            for (i, q) in probs.enumerated() {
                cum += q / total
                if cum >= Double(p.topP) { keep = i + 1; break }
            }
            probs.removeLast(probs.count - keep)
            idx.removeLast(idx.count - keep)
            total = probs.reduce(0, +)
        }
        var r = nextUniform() * total
        for (i, q) in probs.enumerated() {
            r -= q
            if r < 0 { return idx[i] }
        }
        return idx[idx.count - 1]
    }
}
