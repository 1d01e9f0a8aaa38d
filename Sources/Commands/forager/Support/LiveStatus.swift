import Foundation

/// Progress of a batch (episodes, instances): on a terminal one status line that rewrites itself,
/// with done/total, the caller's counts and an ETA; otherwise one plain line per finished item.
final class LiveStatus: @unchecked Sendable {
    private let lock = NSLock()
    private let prefix: String
    private let interactive: Bool
    private var total = 0, done = 0, skipped = 0
    private let started = Date()

    init(prefix: String, interactive: Bool = isatty(STDERR_FILENO) == 1) {
        self.prefix = prefix
        self.interactive = interactive
    }

    /// `skipped` items were already done before this invocation (a resumed run).
    func begin(total: Int, skipped: Int, note: String? = nil) {
        lock.withLock {
            self.total = total
            self.skipped = skipped
            done = skipped
            if let note { Output.progress("\(prefix): \(note)\n") }
        }
    }

    /// One more item is done: `line` describes it (printed when not on a terminal), `counts` is
    /// the caller's running tally for the status line.
    func advance(_ line: String, counts: String) {
        lock.withLock {
            done += 1
            if interactive { Output.progress("\r\u{1b}[K" + status(counts)) } else { Output.progress("\(prefix): [\(done)/\(total)] \(line)\n") }
        }
    }

    /// Redraws the status line with new counts (on a terminal; nothing otherwise).
    func refresh(counts: String) {
        lock.withLock { if interactive && total > 0 { Output.progress("\r\u{1b}[K" + status(counts)) } }
    }

    func finish(counts: String) {
        lock.withLock { if interactive { Output.progress("\r\u{1b}[K" + status(counts) + "\n") } }
    }

    private func status(_ counts: String) -> String {
        let ran = done - skipped
        let elapsed = Date().timeIntervalSince(started)
        let eta = ran > 0 ? Int(elapsed / Double(ran) * Double(total - done)) : 0
        return "\(prefix): \(done)/\(total) done, \(counts)" + (done < total && ran > 0 ? ", ETA \(eta / 60)m\(eta % 60)s" : "")
    }
}
