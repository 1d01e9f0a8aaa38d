import Foundation

/// Load time, prefill and decode speed and resident memory of the engine on one model.
public struct EngineBenchmark: Sendable {
    public var loadMilliseconds: Double
    public var prefillTokensPerSecond: Double
    public var decodeTokensPerSecond: Double
    public var rssMiB: Double
    public var modelFileMiB: Double
    public var kvCacheMiB: Double
    public var threads: Int
    /// Continuous batching: sequences decoded together, and their tokens per second in all.
    public var batchSize: Int
    public var batchDecodeTokensPerSecond: Double
    /// The matmul kernels this CPU got (`avx512-vnni`, `avx2` or `portable`).
    public var kernels: String = KernelLevel.current.rawValue

    public var dictionary: [String: Any] {
        ["load_ms": loadMilliseconds, "prefill_tps": prefillTokensPerSecond, "decode_tps": decodeTokensPerSecond,
         "rss_mib": rssMiB, "model_file_mib": modelFileMiB, "kv_cache_mib": kvCacheMiB, "threads": threads,
         "batch_size": batchSize, "batch_decode_tps": batchDecodeTokensPerSecond, "kernels": kernels,
         "batch_decode_ratio": decodeTokensPerSecond > 0 ? batchDecodeTokensPerSecond / decodeTokensPerSecond : 0]
    }

    /// Prefills `promptTokens` tokens of varied text, then decodes `genTokens` greedily (no stop
    /// tokens); best of `repetitions`. The KV cache is sized to exactly what the run needs. Then
    /// `batch` sequences (each its own KV cache, a prompt of its own of `promptTokens` tokens)
    /// decode `genTokens` steps together, one forward pass a step, as `forager run` and
    /// `forager serve` do with concurrent turns (resident memory is read before that part).
    public static func run(modelSpec: String, threads: Int, promptTokens: Int, genTokens: Int, repetitions: Int,
                           batch: Int = 4) throws -> EngineBenchmark {
        let path = try ModelLocator.resolve(modelSpec)
        let t0 = DispatchTime.now().uptimeNanoseconds
        let model = try Model.load(path: path)
        let loadMs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        let session = Session(model: model, contextLength: promptTokens + genTokens, threads: threads, batchSize: min(512, promptTokens))
        var source = model.tokenizer.encode(benchText)
        while source.count < promptTokens { source += source }
        let prompt = Array(source.prefix(promptTokens))
        var bestPrefill = 0.0, bestDecode = 0.0
        for _ in 0..<max(1, repetitions) {
            session.reset()
            let a = DispatchTime.now().uptimeNanoseconds
            var logits = try session.evaluateInPlace(prompt)
            let b = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<genTokens { logits = try session.evaluateInPlace([Sampler.argmax(logits)]) }
            let c = DispatchTime.now().uptimeNanoseconds
            bestPrefill = max(bestPrefill, Double(promptTokens) / (Double(b - a) / 1e9))
            bestDecode = max(bestDecode, Double(genTokens) / (Double(c - b) / 1e9))
        }
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? model.weightBytes
        let rss = residentMiB()
        let batchTPS = try batchDecode(model: model, source: source, threads: threads, promptTokens: promptTokens,
                                       genTokens: genTokens, batch: max(1, batch), repetitions: repetitions)
        return EngineBenchmark(loadMilliseconds: loadMs, prefillTokensPerSecond: bestPrefill, decodeTokensPerSecond: bestDecode,
                               rssMiB: rss, modelFileMiB: Double(fileBytes) / 1_048_576,
                               kvCacheMiB: Double(session.kvCacheBytes) / 1_048_576, threads: threads,
                               batchSize: max(1, batch), batchDecodeTokensPerSecond: batchTPS)
    }

    /// Tokens per second over `batch` sequences decoded together (`Session.decodeBatch`); best of `repetitions`.
    static func batchDecode(model: Model, source: [Int], threads: Int, promptTokens: Int, genTokens: Int, batch: Int,
                            repetitions: Int) throws -> Double {
        let sessions = (0..<batch).map { _ in
            Session(model: model, contextLength: promptTokens + genTokens, threads: threads, batchSize: min(512, promptTokens))
        }
        var best = 0.0
        for _ in 0..<max(1, repetitions) {
            var next: [Int] = []
            for (i, session) in sessions.enumerated() {
                session.reset()
                // Each sequence its own text: the prompt rotated by a different offset.
                let offset = (i * 37) % max(1, source.count)
                let rotated = Array((source[offset...] + source[..<offset]).prefix(promptTokens))
                next.append(Sampler.argmax(try session.evaluateInPlace(rotated)))
            }
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<genTokens {
                next = try sessions[0].decodeBatch(sessions, next).map { Sampler.argmax($0) }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, Double(batch * genTokens) / seconds)
        }
        return best
    }

    /// Resident set size of this process (VmRSS).
    public static func residentMiB() -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }

    static let benchText = """
    The engine reads a checkpoint, maps its weights, and runs a decoder-only transformer on the CPU. \
    def merge_sorted(a, b):\n    out = []\n    i = j = 0\n    while i < len(a) and j < len(b):\n        if a[i] <= b[j]:\n            out.append(a[i]); i += 1\n        else:\n            out.append(b[j]); j += 1\n    return out + a[i:] + b[j:]\n\
    In 1969, 600 million people watched the landing; the module carried 2,200 kg of fuel. \
    Les modèles de langage prédisent le prochain mot. 言語モデルは次の単語を予測します。 \
    {"id": 42, "tags": ["alpha", "beta"], "ok": true}\n
    """
}
