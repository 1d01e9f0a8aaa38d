/// A plain pytest command line (`pytest …`, `py.test …`, `python… -m pytest …`) split into the
/// arguments that follow pytest: what the tracer and the mutation helper run pytest in-process with.
public enum PytestCommand {
    public enum Problem: Error, Sendable, Equatable {
        /// Quoting or shell syntax: the words cannot be split without a shell.
        case shellSyntax
        /// The command runs something other than pytest.
        case notPytest
    }

    public static func arguments(_ command: String) -> Result<[String], Problem> {
        if command.contains(where: { "'\"$`|;&<>\\".contains($0) }) { return .failure(.shellSyntax) }
        var words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if words.first == "pytest" || words.first == "py.test" {
            words.removeFirst()
        } else if words.count >= 3, words[0].hasPrefix("python"), words[1] == "-m", words[2] == "pytest" {
            words.removeFirst(3)
        } else {
            return .failure(.notPytest)
        }
        return .success(words)
    }
}
