import ForagerSupport

/// unidiff 0.7.5's line regexes (`unidiff/constants.py`), the version CWM ran with.
enum UnidiffRegexes {
    private static let notTabNewline: @Sendable (UInt32) -> Bool = { $0 != 0x09 && $0 != 0x0A }
    private static let notNewline: @Sendable (UInt32) -> Bool = { $0 != 0x0A }
    private static let notTab: @Sendable (UInt32) -> Bool = { $0 != 0x09 }
    private static let digit: @Sendable (UInt32) -> Bool = { PythonText.isDecimal($0) }
    /// `[\s0-9:\+-]`
    private static let timestampChar: @Sendable (UInt32) -> Bool = {
        PythonText.isSpace($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x3A || $0 == 0x2B || $0 == 0x2D
    }

    /// `^--- (?P<filename>[^\t\n]+)(?:\t(?P<timestamp>[^\n]+))?`
    static let sourceFilename = LineRegex(groups: 2, .lit("--- "), .capture(1, .some(notTabNewline)),
                                          .optional(.sequence([.lit("\t"), .capture(2, .some(notNewline))]), greedy: true))
    /// `^\+\+\+ (?P<filename>[^\t\n]+)(?:\t(?P<timestamp>[^\n]+))?`
    static let targetFilename = LineRegex(groups: 2, .lit("+++ "), .capture(1, .some(notTabNewline)),
                                          .optional(.sequence([.lit("\t"), .capture(2, .some(notNewline))]), greedy: true))
    /// `^diff --git (?P<source>a/[^\t\n]+) (?P<target>b/[^\t\n]+)`
    static let gitHeader = LineRegex(groups: 2, .lit("diff --git "),
                                     .capture(1, .sequence([.lit("a/"), .some(notTabNewline)])), .lit(" "),
                                     .capture(2, .sequence([.lit("b/"), .some(notTabNewline)])))
    /// `^diff --git (?P<source>.*://[^\t\n]+) (?P<target>.*://[^\t\n]+)`
    static let gitHeaderURILike = LineRegex(groups: 2, .lit("diff --git "),
                                            .capture(1, .sequence([.any(notNewline), .lit("://"), .some(notTabNewline)])), .lit(" "),
                                            .capture(2, .sequence([.any(notNewline), .lit("://"), .some(notTabNewline)])))
    /// `^diff --git (?P<source>[^\t\n]+) (?P<target>[^\t\n]+)`
    static let gitHeaderNoPrefix = LineRegex(groups: 2, .lit("diff --git "), .capture(1, .some(notTabNewline)), .lit(" "),
                                             .capture(2, .some(notTabNewline)))
    /// `^deleted file mode \d+$`
    static let deletedFile = LineRegex(groups: 0, .lit("deleted file mode "), .some(digit), .endOfLine)
    /// `^new file mode \d+$`
    static let newFile = LineRegex(groups: 0, .lit("new file mode "), .some(digit), .endOfLine)
    /// `^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))?\ @@[ ]?(.*)`
    static let hunkHeader = LineRegex(groups: 5, .lit("@@ -"), .capture(1, .some(digit)),
                                      .optional(.sequence([.lit(","), .capture(2, .some(digit))]), greedy: true),
                                      .lit(" +"), .capture(3, .some(digit)),
                                      .optional(.sequence([.lit(","), .capture(4, .some(digit))]), greedy: true),
                                      .lit(" @@"), .optional(.lit(" "), greedy: true), .capture(5, .any(notNewline)))
    /// `^\\ No newline at end of file`
    static let noNewlineMarker = LineRegex(groups: 0, .lit("\\ No newline at end of file"))
    /// `^Binary files? (?P<source_filename>[^\t]+?)(?:\t(?P<source_timestamp>[\s0-9:\+-]+))?(?: and
    /// (?P<target_filename>[^\t]+?)(?:\t(?P<target_timestamp>[\s0-9:\+-]+))?)? (differ|has changed)`
    static let binaryDiff = LineRegex(
        groups: 5, .lit("Binary file"), .optional(.lit("s"), greedy: true), .lit(" "),
        .capture(1, .some(notTab, lazy: true)),
        .optional(.sequence([.lit("\t"), .capture(2, .some(timestampChar))]), greedy: true),
        .optional(.sequence([
            .lit(" and "), .capture(3, .some(notTab, lazy: true)),
            .optional(.sequence([.lit("\t"), .capture(4, .some(timestampChar))]), greedy: true),
        ]), greedy: true),
        .lit(" "), .capture(5, .alternation([.lit("differ"), .lit("has changed")])))
}
