import Foundation

/// Where a trace came from.
public enum TraceKind: String, Codable, Sendable, CaseIterable {
    /// A whole program run on one input (`forager trace --program`).
    case program
    /// A function of a repository as one of its passing tests calls it (`forager trace --repo`).
    case repo
    /// A FAIL_TO_PASS test of a task row, at the bug or with the gold fix (`forager trace --tasks`).
    case task
}

/// One stored execution trace: its context (the source with the entry marked), its frames, and
/// what it is linked to.
public struct TraceRecord: Sendable, Equatable {
    public var id: String
    /// The `forager trace` invocation that made it (what `export --run` selects).
    public var batch: String
    public var kind: TraceKind
    public var repo: String?
    public var commit: String?
    public var taskID: String?
    /// `bug` or `fix` for task traces.
    public var variant: String?
    public var test: String?
    /// The entry's file and function and the line of its `def` (1 for a program).
    public var file: String
    public var function: String
    public var line: Int
    /// The first line of the entry's code object (its decorator line when decorated) and which
    /// call event of that code in its test the trace starts at (1: the first): enough to find the
    /// same call again.
    public var codeLine: Int?
    public var entryCall: Int?
    /// The source given to the model: the entry's file with `  # << START_OF_TRACE` on its line.
    public var context: String
    /// Why the trace stops early (events, bytes, time, depth, …); nil when it is complete.
    public var cut: String?
    public var seconds: Double
    /// The same run without the tracer, when measured.
    public var untracedSeconds: Double?
    public var createdAt: Date
    public var frames: [TraceFrame]

    public init(id: String, batch: String, kind: TraceKind, repo: String? = nil, commit: String? = nil, taskID: String? = nil,
                variant: String? = nil, test: String? = nil, file: String, function: String, line: Int, codeLine: Int? = nil, entryCall: Int? = nil, context: String,
                cut: String? = nil, seconds: Double, untracedSeconds: Double? = nil, createdAt: Date = Date(), frames: [TraceFrame]) {
        self.id = id
        self.batch = batch
        self.kind = kind
        self.repo = repo
        self.commit = commit
        self.taskID = taskID
        self.variant = variant
        self.test = test
        self.file = file
        self.function = function
        self.line = line
        self.codeLine = codeLine
        self.entryCall = entryCall
        self.context = context
        self.cut = cut
        self.seconds = seconds
        self.untracedSeconds = untracedSeconds
        self.createdAt = createdAt
        self.frames = frames
    }

    public var isComplete: Bool { cut == nil }
}
