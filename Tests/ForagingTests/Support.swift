import DockerEngine
import Foraging
import Foundation
import Testing
import TestSupport

/// A scratch folder, removed by the caller.
func scratchDirectory() throws -> URL {
    try TempDir(prefix: "forager-forage-").url
}

/// Runs a program on the host and returns its exit code and combined output.
@discardableResult
func host(_ arguments: [String], in directory: URL, stdin: String? = nil) throws -> (Int32, String) {
    let result = try ChildProcess.run(arguments, directory: directory,
                                      input: stdin.map { .bytes(Data($0.utf8)) } ?? .inherit, errors: .capture)
    return (result.status, result.output)
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
