import Foundation
import Grading

/// The lines a patch changes, on each side: removed lines in the old file, added lines in the new
/// one (an insertion with nothing removed marks the lines on either side of it). What
/// `forager trace --tasks` passes to the tracer as `--changed FILE:A-B`, so that traces start at
/// the functions the fix changes: in the bug's tree the old side, with the fix the new side.
public struct ChangedLines: Sendable, Equatable {
    public enum Side: Sendable { case old, new }

    /// File (relative, no `a/`/`b/`) → line ranges, per side.
    public var old: [String: [ClosedRange<Int>]] = [:]
    public var new: [String: [ClosedRange<Int>]] = [:]

    public init(patch: String) throws(TracingError) {
        let diff: UnifiedDiff
        do { diff = try UnifiedDiffParser.parse(patch) } catch { throw .input("patch", "cannot read the gold patch's hunks: \(error)") }
        for file in diff.files {
            let oldPath = Self.strip(file.sourceFile), newPath = Self.strip(file.targetFile)
            for hunk in file.hunks {
                var oldLine = Int(hunk.sourceStart) ?? 0, newLine = Int(hunk.targetStart) ?? 0
                var removed: [Int] = [], added: [Int] = []
                var oldInsertions: [Int] = [], newDeletions: [Int] = []
                var runRemoved = false, runAdded = false
                func closeRun() {
                    if runAdded && !runRemoved { oldInsertions.append(oldLine) }
                    if runRemoved && !runAdded { newDeletions.append(newLine) }
                    runRemoved = false
                    runAdded = false
                }
                for line in hunk.lines {
                    switch line.first {
                    case "-": removed.append(oldLine); oldLine += 1; runRemoved = true
                    case "+": added.append(newLine); newLine += 1; runAdded = true
                    case " ": closeRun(); oldLine += 1; newLine += 1
                    default: break
                    }
                }
                closeRun()
                if oldPath != "/dev/null" {
                    old[oldPath, default: []] += Self.ranges(removed) + oldInsertions.map { max(1, $0 - 1)...max(1, $0) }
                }
                if newPath != "/dev/null" {
                    new[newPath, default: []] += Self.ranges(added) + newDeletions.map { max(1, $0 - 1)...max(1, $0) }
                }
            }
        }
    }

    /// `--changed FILE:A-B` arguments for one side, files restricted to `files`.
    public func tracerArguments(_ side: Side, files: Set<String>) -> [String] {
        let map = side == .old ? old : new
        return map.keys.sorted().filter { files.contains($0) }.flatMap { file in
            (map[file] ?? []).flatMap { ["--changed", "\(file):\($0.lowerBound)-\($0.upperBound)"] }
        }
    }

    static func strip(_ path: String) -> String {
        path.hasPrefix("a/") || path.hasPrefix("b/") ? String(path.dropFirst(2)) : path
    }

    static func ranges(_ lines: [Int]) -> [ClosedRange<Int>] {
        var out: [ClosedRange<Int>] = []
        for line in lines.sorted() {
            if let last = out.last, last.upperBound + 1 >= line {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, line)
            } else {
                out.append(line...line)
            }
        }
        return out
    }
}
