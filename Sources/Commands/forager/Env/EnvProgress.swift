import Foundation
import Environments

/// The live line of `forager env build` on standard error: done/total, built/failed, and what
/// each running build is doing; one plain line per finished source when not on a terminal.
final class EnvProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let total: Int
    private var done = 0, built = 0, failed = 0
    private var phases: [String: String] = [:]
    private let interactive = isatty(STDERR_FILENO) == 1

    init(total: Int) { self.total = total }

    func phase(_ source: String, _ phase: String) {
        lock.withLock {
            phases[source] = phase
            draw()
        }
    }

    func done(_ result: EnvResult, resumed: Bool) {
        lock.withLock {
            done += 1
            if result.status == .built { built += 1 } else { failed += 1 }
            phases[result.source] = nil
            let what = result.status == .built ? "built \(result.image ?? "") (\(result.testsPassed) passing)" : "failed: \(result.cause?.rawValue ?? "?") — \(result.detail ?? "")"
            let line = "env: [\(done)/\(total)] \(result.source) \(what)\(resumed ? " (kept from an earlier run)" : "") \(Int(result.seconds))s"
            if interactive { FileHandle.standardError.write(Data("\r\u{1b}[K\(line)\n".utf8)); draw() } else { FileHandle.standardError.write(Data("\(line)\n".utf8)) }
        }
    }

    func finish() {
        lock.withLock { if interactive { FileHandle.standardError.write(Data("\r\u{1b}[K".utf8)) } }
    }

    private func draw() {
        guard interactive else { return }
        let running = phases.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        FileHandle.standardError.write(Data("\r\u{1b}[Kenv: \(done)/\(total) done, \(built) built, \(failed) failed · \(running)".prefix(200).utf8))
    }
}
