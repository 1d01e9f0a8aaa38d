import Foundation

/// Near-duplicate removal as ForagerAgent post-processes its trajectories: each episode is its
/// concatenated actions, MinHashed; within one source repository, episodes are kept in order
/// unless one already kept is estimated at Jaccard similarity ≥ `threshold` (0.5). Nothing is
/// filtered on success.
public struct NearDuplicateFilter: Sendable {
    /// Signature length: 128 hashes estimate a Jaccard of 0.5 within about ±0.09 (one σ 0.044).
    public static let permutations = 128
    /// Locality-sensitive hashing: 32 bands of 4 rows put a pair at J = 0.5 in a common bucket
    /// with probability 1 − (1 − 0.5⁴)³² ≈ 0.9999, so candidates are not missed.
    static let bands = 32
    static let rows = permutations / bands

    public var threshold: Double
    /// Words per shingle.
    public var shingleSize: Int

    public init(threshold: Double = 0.5, shingleSize: Int = 5) {
        self.threshold = threshold
        self.shingleSize = max(1, shingleSize)
    }

    /// Which of `episodes` to keep: every one whose estimated similarity to each earlier kept
    /// episode of the same repository stays below the threshold. Order is preserved.
    public func keep(_ episodes: [EpisodeWithSteps]) -> [EpisodeWithSteps] {
        var kept: [EpisodeWithSteps] = []
        var signaturesByRepo: [String: [[UInt64]]] = [:]
        var bucketsByRepo: [String: [Int: [Int]]] = [:]  // band hash → indices into the repo's signatures
        for item in episodes {
            let repo = Self.repository(of: item.episode)
            let signature = self.signature(Self.actions(of: item))
            var signatures = signaturesByRepo[repo, default: []]
            var buckets = bucketsByRepo[repo, default: [:]]
            let keys = Self.bandKeys(signature)
            var candidates = Set<Int>()
            for key in keys { candidates.formUnion(buckets[key, default: []]) }
            let duplicate = candidates.contains { Self.similarity(signatures[$0], signature) >= threshold }
            guard !duplicate else { continue }
            kept.append(item)
            for key in keys { buckets[key, default: []].append(signatures.count) }
            signatures.append(signature)
            signaturesByRepo[repo] = signatures
            bucketsByRepo[repo] = buckets
        }
        return kept
    }

    /// The source repository: the task row's `repo`, else the instance id before its last `-`/`.`.
    static func repository(of episode: Episode) -> String {
        if let json = episode.taskJSON, let data = json.data(using: .utf8),
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let repo = object["repo"] as? String, !repo.isEmpty {
            return repo
        }
        let id = episode.instanceID
        if let cut = id.lastIndex(where: { $0 == "-" || $0 == "." }) { return String(id[..<cut]) }
        return id
    }

    /// What a trajectory is compared by: its actions, in order.
    static func actions(of item: EpisodeWithSteps) -> String {
        item.steps.map(\.actionText).joined(separator: "\n")
    }

    /// The MinHash signature of the text's word shingles.
    public func signature(_ text: String) -> [UInt64] {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        var shingles = Set<UInt64>()
        if words.count <= shingleSize {
            shingles.insert(Self.fnv1a(words.joined(separator: " ")))
        } else {
            for start in 0...(words.count - shingleSize) {
                shingles.insert(Self.fnv1a(words[start..<(start + shingleSize)].joined(separator: " ")))
            }
        }
        var signature = [UInt64](repeating: .max, count: Self.permutations)
        for shingle in shingles {
            for i in 0..<Self.permutations {
                let h = Self.mix(shingle ^ Self.seeds[i])
                if h < signature[i] { signature[i] = h }
            }
        }
        return signature
    }

    /// The fraction of equal positions: an unbiased estimate of the shingle sets' Jaccard similarity.
    public static func similarity(_ a: [UInt64], _ b: [UInt64]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return 0 }
        return Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
    }

    static func bandKeys(_ signature: [UInt64]) -> [Int] {
        (0..<bands).map { band in
            var hasher = Hasher()
            hasher.combine(band)
            for row in 0..<rows { hasher.combine(signature[band * rows + row]) }
            return hasher.finalize()
        }
    }

    static let seeds: [UInt64] = {
        var state: UInt64 = 0x5EED_F0A6_E12A_6E17
        return (0..<permutations).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            return mix(state)
        }
    }()

    /// splitmix64's finalizer: a fast, well-mixed 64-bit permutation.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
