import DockerEngine
import ExecutionTraces
import Foundation
import ImageRecipes
import Testing
import Trajectories

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

let dockerTestsEnabled: @Sendable () async -> Bool = {
    if ProcessInfo.processInfo.environment["FORAGER_REQUIRE_DOCKER"] == "1" { return true }
    return (try? await DockerClient.connect()) != nil
}

/// Builds the image recipes a test needs (once per test process), in dependency order.
actor TestImages {
    static let shared = TestImages()
    private var ready: Set<String> = []

    func ensure(_ names: [String]) async throws {
        let client = try await DockerClient.connect()
        let catalog = try RecipeCatalog(directory: repositoryRoot.appendingPathComponent("Images"))
        let builder = ImageBuilder(client: client)
        for recipe in try catalog.buildOrder(for: names.filter { !ready.contains($0) }) where !ready.contains(recipe.name) {
            if try await client.inspectImage(recipe.tag) == nil { _ = try await builder.build(recipe) { _ in } }
            ready.insert(recipe.name)
        }
    }
}

func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("forager-traces-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

struct HostRun {
    var status: Int32
    var stdout: Data
    var stderr: Data
}

/// Runs a host program (stdout and stderr apart, optional stdin file); stopped with SIGKILL after `timeout`.
func host(_ arguments: [String], in directory: URL, stdin: URL? = nil, timeout: Double = 120) throws -> HostRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
    try process.run()
    let pid = process.processIdentifier
    let killer = DispatchWorkItem { kill(pid, SIGKILL) }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
    let errData = DispatchQueue.global()
    nonisolated(unsafe) var stderrData = Data()
    let group = DispatchGroup()
    group.enter()
    errData.async { stderrData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    killer.cancel()
    return HostRun(status: process.terminationStatus, stdout: stdoutData, stderr: stderrData)
}

/// One event of the reference tracer (full locals, no diffs).
struct ReferenceEvent: Decodable {
    var event: String
    var line: Int
    var function: String
    var locals: [String: String]?
    var localNames: [String]?
    var value: String?
}

/// Checks a trace against the reference: the same events in order, and every frame's locals,
/// with ".." resolved, exactly the reference's full locals (names in the same order).
func compare(_ frames: [TraceFrame], _ reference: [ReferenceEvent], _ what: String) {
    #expect(frames.count == reference.count, "\(what): \(frames.count) frames, the reference saw \(reference.count) events")
    let states = TraceStates.resolve(frames)
    for (i, (frame, ref)) in zip(frames, reference).enumerated() {
        #expect(frame.event.rawValue == ref.event, "\(what) frame \(i): \(frame.event) vs \(ref.event)")
        // A call frame shows the `def` line where Python reports the first decorator's (or 0 for a module).
        let refLine = frame.event == .call && ref.line == 0 ? 1 : ref.line
        let pastDecorators = frame.event == .call && frame.line > refLine
            && frame.source.trimmingCharacters(in: .whitespaces).range(of: #"^(async\s+)?def\b"#, options: .regularExpression) != nil
        #expect(frame.line == refLine || pastDecorators, "\(what) frame \(i) (\(frame.event)): line \(frame.line) vs \(refLine)")
        if let locals = ref.locals {
            let resolved = states[i] ?? []
            #expect(resolved.map(\.name) == (ref.localNames ?? []), "\(what) frame \(i): local names")
            #expect(Dictionary(resolved.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }) == locals,
                    "\(what) frame \(i) line \(frame.line): resolved \(resolved) vs \(locals)")
            #expect(!resolved.contains { $0.value == TraceLocal.unchanged }, "\(what) frame \(i): an unresolved '..'")
        } else {
            #expect(frame.value == ref.value, "\(what) frame \(i): value \(frame.value ?? "nil") vs \(ref.value ?? "nil")")
        }
        if i > 0, frame.event != .call, frames[i - 1].call != frame.call, frames[i - 1].event != .return {
            Issue.record("\(what) frame \(i): a frame of call \(frame.call) follows call \(frames[i - 1].call) without a return or call")
        }
    }
}
