/// The log parsers by the name a task row's `log_parser` gives.
public enum LogParsers {
    /// Every registered parser, in the order of `names`.
    public static let all: [any TestLogParser] = [
        PytestLogParser(),
        PytestOptionsLogParser(),
        PytestV2LogParser(),
        MatplotlibLogParser(),
        SeabornLogParser(),
        DjangoLogParser(),
        DjangoLogParser(name: "unittest"),
        SympyLogParser(),
    ]

    /// `pytest`, `pytest_options`, `pytest_v2`, `matplotlib`, `seaborn`, `django`, `unittest`, `sympy`.
    public static var names: [String] { all.map(\.name) }

    /// The parser registered under `name` (exact, case-sensitive), or nil.
    public static func named(_ name: String) -> (any TestLogParser)? {
        all.first { $0.name == name }
    }
}
