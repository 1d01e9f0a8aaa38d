import Foundation
import Testing
import TestSupport

/// The layers of `Sources/` as ARCHITECTURE.md draws them, checked against the `import`s the
/// sources really make, and against the two documents that name the modules.
@Suite struct LayeringTests {
    /// The layer folders, in order: a target may import its own layer and the layers before it.
    static let layers = ["Infrastructure", "Data", "Environment", "Agent", "Evaluation", "Episodes", "Workflows", "Commands"]
    /// Imports the order allows that ARCHITECTURE.md rules out.
    static let forbidden: [String: Set<String>] = ["Agent": ["Sandbox", "DockerEngine", "Grading"], "Inference": ["Sandbox", "DockerEngine"]]
    /// The one import between workflows ARCHITECTURE.md allows.
    static let allowedAcrossWorkflows: Set<String> = ["ExecutionTraces→Foraging"]

    /// target name → layer, from the folders.
    static func targets() throws -> [String: String] {
        var result: [String: String] = [:]
        for layer in layers {
            let folder = packageRoot.appendingPathComponent("Sources/\(layer)")
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !name.hasPrefix(".") {
                result[name] = layer
            }
        }
        return result
    }

    /// The project's modules each Swift file of `target` imports.
    static func imports(of target: String, in layer: String, known: Set<String>) throws -> Set<String> {
        let folder = packageRoot.appendingPathComponent("Sources/\(layer)/\(target)")
        var found: Set<String> = []
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                      words[..<i].allSatisfy({ ["@testable", "@_exported", "public", "package", "internal"].contains($0) }) else { continue }
                let module = String(words[i + 1])
                if known.contains(module) { found.insert(module) }
            }
        }
        return found
    }

    @Test func everyImportPointsUpOrSideways() throws {
        let targets = try Self.targets()
        #expect(targets.count >= 20, "found \(targets.count) targets under Sources/")
        for (target, layer) in targets {
            let own = Self.layers.firstIndex(of: layer) ?? 0
            for module in try Self.imports(of: target, in: layer, known: Set(targets.keys)) {
                let theirs = Self.layers.firstIndex(of: targets[module] ?? "") ?? 0
                #expect(theirs <= own, "\(target) (\(layer)) imports \(module) (\(targets[module] ?? "?")), a later layer")
                #expect(!(Self.forbidden[target]?.contains(module) ?? false), "\(target) must not import \(module)")
                if layer == "Workflows", targets[module] == "Workflows" {
                    #expect(Self.allowedAcrossWorkflows.contains("\(target)→\(module)"), "workflow \(target) imports workflow \(module)")
                }
            }
        }
    }

    @Test func bothDocumentsNameEveryTarget() throws {
        let architecture = try String(contentsOf: packageRoot.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let modules = readme.components(separatedBy: "## Library modules").dropFirst().first ?? ""
        for (target, layer) in try Self.targets() {
            #expect(architecture.contains("`\(target)`"), "ARCHITECTURE.md does not name \(target)")
            #expect(modules.contains("| \(layer) | `\(target)`") || modules.contains("`\(target)`"),
                    "README's module table has no row for \(target) (\(layer))")
        }
    }
}
