import Foundation

/// Many sources at once: N workers, each source's result kept in its work folder (`result.json`)
/// so a second run skips what is done (unless `force`), and a callback for the live progress line.
public struct EnvBatch: Sendable {
    public var builder: EnvBuilder

    public init(builder: EnvBuilder) { self.builder = builder }

    /// The sources of a `--from` file: one a line, `#` comments and blank lines skipped.
    public static func sources(fromFile path: String) throws(EnvBuildError) -> [EnvSource] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .unreadableList(path) }
        var result: [EnvSource] = []
        for line in text.split(separator: "\n") {
            let word = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?.trimmingCharacters(in: .whitespaces) ?? ""
            if !word.isEmpty { result.append(try EnvSource.parse(word)) }
        }
        return result
    }

    /// Builds every source, `workers` at a time; results in the order of `sources`.
    public func run(_ sources: [EnvSource], specPath: String? = nil, done: @escaping @Sendable (EnvResult, Bool) -> Void = { _, _ in }) async -> [EnvResult] {
        var results = [EnvResult?](repeating: nil, count: sources.count)
        let workers = max(1, builder.options.workers)
        await withTaskGroup(of: (Int, EnvResult, Bool).self) { group in
            var next = 0
            func start() {
                guard next < sources.count else { return }
                let index = next, source = sources[index]
                next += 1
                group.addTask {
                    if !builder.options.force, let kept = await previous(source) { return (index, kept, true) }
                    let result = await builder.build(source, specPath: specPath)
                    save(result, for: source)
                    return (index, result, false)
                }
            }
            for _ in 0..<workers { start() }
            while let (index, result, resumed) = await group.next() {
                results[index] = result
                done(result, resumed)
                start()
            }
        }
        return results.compactMap { $0 }
    }

    private func resultFile(_ source: EnvSource) -> URL { builder.workFolder(for: source).appendingPathComponent("result.json") }

    /// A kept result whose image (for a built one) still exists.
    private func previous(_ source: EnvSource) async -> EnvResult? {
        guard let data = FileManager.default.contents(atPath: resultFile(source).path),
              let result = try? JSONDecoder().decode(EnvResult.self, from: data) else { return nil }
        if result.status == .built, let image = result.image {
            guard (try? await HostCommand.run("docker", ["image", "inspect", image]))?.succeeded == true,
                  let spec = result.spec, FileManager.default.fileExists(atPath: spec) else { return nil }
        }
        return result
    }

    private func save(_ result: EnvResult, for source: EnvSource) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? FileManager.default.createDirectory(at: resultFile(source).deletingLastPathComponent(), withIntermediateDirectories: true)
        try? encoder.encode(result).write(to: resultFile(source))
    }

    /// Disk the images take together: each environment is its Python's base plus one layer, so
    /// the bases count once and each image adds its size beyond its base.
    public static func diskUsed(_ results: [EnvResult]) async -> Int64 {
        func size(_ image: String) async -> Int64? {
            guard let out = try? await HostCommand.run("docker", ["image", "inspect", "-f", "{{.Size}}", image]), out.succeeded else { return nil }
            return Int64(out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var total: Int64 = 0
        for python in Set(results.compactMap { $0.status == .built ? $0.python : nil }) {
            let baseSize = await size(EnvBaseImage.tag(python: python)) ?? 0
            total += baseSize
            for result in results where result.status == .built && result.python == python {
                total += max(0, (result.imageBytes ?? baseSize) - baseSize)
            }
        }
        return total
    }
}
