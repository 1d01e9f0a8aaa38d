import ForagerSupport

/// A port of unidiff 0.7.5's `PatchSet` parser (`PatchSet._parse`, `PatchedFile._parse_hunk`),
/// the version CWM ran with, line for line where it changes what the similarity reward sees.
public enum UnifiedDiffParser {
    public static func parse(_ text: String) throws(UnifiedDiffError) -> UnifiedDiff {
        var state = ParserState(lines: PythonText.lines(PythonText.codePoints(text)))
        try state.run()
        return UnifiedDiff(files: state.files)
    }
}

private struct ParserState {
    let lines: [ArraySlice<UInt32>]
    var next = 0
    var files: [UnifiedDiff.File] = []
    /// Index of `current_file` in `files` (unidiff mutates the appended object).
    var current: Int?
    /// Whether `patch_info` is not None.
    var hasPatchInfo = false
    /// The function-level locals `source_file` and `source_timestamp` (nil: unbound).
    var sourceFile: String?
    var sourceTimestampBound = false

    init(lines: [ArraySlice<UInt32>]) { self.lines = lines }

    mutating func run() throws(UnifiedDiffError) {
        while next < lines.count {
            let line = lines[next]
            next += 1
            try handle(line)
        }
    }

    private func text(_ s: ArraySlice<UInt32>?) -> String { s.map { PythonText.string($0) } ?? "" }

    private mutating func handle(_ line: ArraySlice<UInt32>) throws(UnifiedDiffError) {
        let header = UnidiffRegexes.gitHeader.match(line) ?? UnidiffRegexes.gitHeaderURILike.match(line)
            ?? UnidiffRegexes.gitHeaderNoPrefix.match(line)
        if let header {
            hasPatchInfo = true
            let source = text(UnidiffRegexes.gitHeader.group(header, 1, in: line))
            sourceFile = source
            files.append(.init(sourceFile: source, targetFile: text(UnidiffRegexes.gitHeader.group(header, 2, in: line)),
                               isBinary: false, hunks: []))
            current = files.count - 1
            return
        }
        if UnidiffRegexes.newFile.match(line) != nil {
            guard let current, hasPatchInfo else { throw .parse("Unexpected new file found: \(text(line))") }
            files[current].sourceFile = "/dev/null"
            return
        }
        if UnidiffRegexes.deletedFile.match(line) != nil {
            guard let current, hasPatchInfo else { throw .parse("Unexpected deleted file found: \(text(line))") }
            files[current].targetFile = "/dev/null"
            return
        }
        if let m = UnidiffRegexes.sourceFilename.match(line) {
            let source = text(UnidiffRegexes.sourceFilename.group(m, 1, in: line))
            sourceFile = source
            sourceTimestampBound = true
            // A new file unless this restates the current file's source (a rename's git header).
            if let c = current, !ExactString(files[c].sourceFile).equals(source) { current = nil }
            return
        }
        if let m = UnidiffRegexes.targetFilename.match(line) {
            let target = text(UnidiffRegexes.targetFilename.group(m, 1, in: line))
            if let c = current {
                guard ExactString(files[c].targetFile).equals(target) else { throw .parse("Target without source: \(text(line))") }
                return
            }
            guard let sourceFile, sourceTimestampBound else { throw .parse("UnboundLocalError: source_file") }
            files.append(.init(sourceFile: sourceFile, targetFile: target, isBinary: false, hunks: []))
            current = files.count - 1
            hasPatchInfo = false
            return
        }
        if let m = UnidiffRegexes.hunkHeader.match(line) {
            hasPatchInfo = false
            guard let c = current else { throw .parse("Unexpected hunk found: \(text(line))") }
            try parseHunk(m, header: line, into: c)
            return
        }
        if UnidiffRegexes.noNewlineMarker.match(line) != nil {
            guard let c = current else { throw .parse("Unexpected marker: \(text(line))") }
            try appendToLastHunk(c, "\\ No newline at end of file\n", error: "Unexpected marker: No newline at end of file")
            return
        }
        if line.count == 1 && line.first == 0x0A, let c = current {
            try appendToLastHunk(c, "\n", error: "Unexpected trailing newline character")
            return
        }
        handlePatchInfo(line)
        if line.elementsEqual(PythonText.codePoints("GIT binary patch\n")) {
            guard let c = current else { throw .crash("'NoneType' object has no attribute 'is_binary_file'") }
            files[c].isBinary = true
            hasPatchInfo = false
            current = nil
        }
    }

    /// A line nothing else matched: patch info, or a `Binary files … differ` line.
    private mutating func handlePatchInfo(_ line: ArraySlice<UInt32>) {
        if !hasPatchInfo {
            current = nil
            hasPatchInfo = true
        }
        guard let m = UnidiffRegexes.binaryDiff.match(line) else { return }
        let source = text(UnidiffRegexes.binaryDiff.group(m, 1, in: line))
        sourceFile = source
        if let c = current {
            files[c].isBinary = true
        } else {
            let target = text(UnidiffRegexes.binaryDiff.group(m, 3, in: line))
            files.append(.init(sourceFile: source, targetFile: target, isBinary: true, hunks: []))
        }
        hasPatchInfo = false
        current = nil
    }

    private mutating func appendToLastHunk(_ c: Int, _ rendered: String, error: String) throws(UnifiedDiffError) {
        guard !files[c].hunks.isEmpty else { throw .parse(error) }
        files[c].hunks[files[c].hunks.count - 1].lines.append(rendered)
    }

    private mutating func parseHunk(_ m: LineRegex.Captures, header: ArraySlice<UInt32>, into c: Int) throws(UnifiedDiffError) {
        let re = UnidiffRegexes.hunkHeader
        let length: (Int) -> Int = { i in re.group(m, i, in: header).map { PythonText.saturatingInteger($0) } ?? 1 }
        var hunk = UnifiedDiff.Hunk(
            sourceStart: PythonText.string(PythonText.canonicalInteger(re.group(m, 1, in: header) ?? [])),
            sourceLength: length(2),
            targetStart: PythonText.string(PythonText.canonicalInteger(re.group(m, 3, in: header) ?? [])),
            targetLength: length(4),
            sectionHeader: text(re.group(m, 5, in: header)),
            lines: [])
        var source = 0, target = 0
        while next < lines.count {
            let line = lines[next]
            next += 1
            let (type, value) = try bodyLine(line)
            switch type {
            case 0x2B: target += 1
            case 0x2D: source += 1
            case 0x20: source += 1; target += 1
            default: break
            }
            if source > hunk.sourceLength || target > hunk.targetLength { throw .parse("Hunk is longer than expected") }
            hunk.lines.append(PythonText.string([type] + value))
            if source == hunk.sourceLength && target == hunk.targetLength { break }
        }
        if source < hunk.sourceLength || target < hunk.targetLength { throw .parse("Hunk is shorter than expected") }
        files[c].hunks.append(hunk)
    }

    /// `RE_HUNK_BODY_LINE`, then `RE_HUNK_EMPTY_BODY_LINE` (an empty type becomes context).
    private func bodyLine(_ line: ArraySlice<UInt32>) throws(UnifiedDiffError) -> (UInt32, ArraySlice<UInt32>) {
        guard let first = line.first else { throw .parse("Hunk diff line expected: ") }
        switch first {
        case 0x2D, 0x20, 0x2B, 0x5C:
            return (first, line.dropFirst())
        case 0x0D, 0x0A:
            let value = line.prefix(2).prefix { $0 == 0x0D || $0 == 0x0A }
            return (0x20, value)
        default:
            throw .parse("Hunk diff line expected: \(text(line))")
        }
    }
}

extension ExactString {
    func equals(_ other: String) -> Bool { self == ExactString(other) }
}
