import Foundation

/// Replaces the values that legitimately change from one run of a command to the next
/// (timestamps, PIDs, temporary names, durations, container ids, addresses) with placeholders,
/// so that two observations that differ only in them compare equal. The rules are listed in the
/// README ("Replay normalization rules"); keep the two in step.
public enum VolatileNormalizer {
    /// One rule: a pattern and its replacement template (`$1` refers to a group).
    public struct Rule: Sendable {
        public let name: String
        public let pattern: String
        public let template: String
    }

    private static let month = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    private static let weekday = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"

    /// Applied in this order (the longer forms first).
    public static let rules: [Rule] = [
        Rule(name: "ISO-8601 timestamp",
             pattern: #"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2}| ?UTC)?"#,
             template: "<TIMESTAMP>"),
        Rule(name: "date(1) timestamp",
             pattern: #"\b\#(weekday) \#(month) +\d{1,2} \d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})? \d{4}\b"#,
             template: "<TIMESTAMP>"),
        Rule(name: "ls -l date", pattern: #"\b\#(month) +\d{1,2} +(?:\d{2}:\d{2}|\d{4})\b"#, template: "<DATE>"),
        Rule(name: "clock time", pattern: #"\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b"#, template: "<TIME>"),
        Rule(name: "epoch seconds", pattern: #"\b1[5-9]\d{8}(?:\.\d+)?\b"#, template: "<EPOCH>"),
        Rule(name: "UUID", pattern: #"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"#,
             template: "<UUID>"),
        Rule(name: "time(1) duration", pattern: #"\b\d+m\d+(?:\.\d+)?s\b"#, template: "<DURATION>"),
        Rule(name: "duration", pattern: #"\b\d+(?:\.\d+)?(?:ns|µs|us|ms|s|(?: ?(?:secs?|seconds?|mins?|minutes?)))\b"#,
             template: "<DURATION>"),
        Rule(name: "PID after a label", pattern: #"(?i)\b(pid|process id)([\s:=#]*)\d+"#, template: "$1$2<PID>"),
        Rule(name: "background job", pattern: #"(?m)^\[\d+\]\s+\d+$"#, template: "[<JOB>] <PID>"),
        Rule(name: "killed process", pattern: #"\b(line \d+:\s+)\d+(\s+(?:Killed|Terminated|Aborted|Segmentation fault|Done))"#,
             template: "$1<PID>$2"),
        Rule(name: "mktemp name", pattern: #"\btmp\.[A-Za-z0-9]{6,}\b"#, template: "tmp.<RANDOM>"),
        Rule(name: "Python tempfile name", pattern: #"\btmp(?=[a-z0-9_]*\d)[a-z0-9_]{8}\b"#, template: "tmp<RANDOM>"),
        Rule(name: "pytest temporary directory", pattern: #"\bpytest-of-[^/\s]+/pytest-\d+"#, template: "pytest-of-<USER>/pytest-<N>"),
        Rule(name: "memory address", pattern: #"\b0x[0-9a-fA-F]{6,16}\b"#, template: "0x<ADDRESS>"),
        // The budget's token count follows the tokenized length of the output, volatile parts included.
        Rule(name: "remaining tokens", pattern: #"(?m)^(\* Remaining tokens: )-?\d+$"#, template: "$1<TOKENS>"),
        Rule(name: "container id", pattern: #"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{12}\b"#, template: "<CONTAINER>"),
    ]

    private static let compiled: [(NSRegularExpression, String)] = rules.compactMap { rule in
        guard let regex = try? NSRegularExpression(pattern: rule.pattern) else {
            assertionFailure("normalizer rule \(rule.name) does not compile")
            return nil
        }
        return (regex, rule.template)
    }

    /// The text with every volatile value replaced by its placeholder.
    public static func normalize(_ text: String) -> String {
        var out = text
        for (regex, template) in compiled {
            let range = NSRange(out.startIndex..., in: out)
            out = regex.stringByReplacingMatches(in: out, range: range, withTemplate: template)
        }
        return out
    }
}
