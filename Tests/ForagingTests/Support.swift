import DockerEngine
import Foraging
import Foundation
import ImageRecipes
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

let dockerTestsEnabled: @Sendable () async -> Bool = {
    if ProcessInfo.processInfo.environment["FORAGER_REQUIRE_DOCKER"] == "1" { return true }
    return (try? await DockerClient.connect()) != nil
}

/// Builds the project's image recipes a test needs, once per test process, in dependency order.
actor TestImages {
    static let shared = TestImages()
    private var ready: Set<String> = []

    func ensure(_ names: [String]) async throws {
        let missing = names.filter { !ready.contains($0) }
        guard !missing.isEmpty else { return }
        let client = try await DockerClient.connect()
        let catalog = try RecipeCatalog(directory: repositoryRoot.appendingPathComponent("Images"))
        let builder = ImageBuilder(client: client)
        for recipe in try catalog.buildOrder(for: missing) where !ready.contains(recipe.name) {
            let exists = try await client.inspectImage(recipe.tag) != nil
            if recipe.kind == .dockerfile || !exists {
                _ = try await builder.build(recipe) { _ in }
            }
            ready.insert(recipe.name)
        }
    }
}

/// A scratch folder, removed by the caller.
func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forager-forage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs a program on the host and returns its exit code and combined output.
@discardableResult
func host(_ arguments: [String], in directory: URL, stdin: String? = nil) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    if let stdin {
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
    } else {
        try process.run()
    }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The helper's mutations of `source` (every function a candidate), run with the host's python3.
func hostMutations(_ source: String, file: String = "mod.py") throws -> (mutations: [Mutation], original: [UInt8]) {
    let dir = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try installHelper(in: dir)
    let target = dir.appendingPathComponent(file)
    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(source.utf8).write(to: target)
    let (code, output) = try host(["python3", PythonHelper.mutation.fileName, "mutate", "--root", ".", "--file", file, "--out", "out.json", "--per-operator", "1000"], in: dir)
    guard code == 0 else { throw HelperFailure(output: output) }
    let list = try JSONDecoder().decode(MutationList.self, from: Data(contentsOf: dir.appendingPathComponent("out.json")))
    return (list.mutations, Array(source.utf8))
}

struct HelperFailure: Error { let output: String }

/// Copies the mutation helper from the resources bundle into `directory`, as Forage copies it into a container.
func installHelper(in directory: URL) throws {
    try PythonHelper.mutation.source().write(to: directory.appendingPathComponent(PythonHelper.mutation.fileName))
}

/// The file after a mutation, applied by Swift.
func mutated(_ m: Mutation, _ original: [UInt8]) throws -> String {
    String(decoding: try EditApplication.apply(m.edits, to: original, file: m.file), as: UTF8.self)
}
