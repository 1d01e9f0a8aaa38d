/// POSIX shell single-quoting: the text as one word, whatever it contains.
public func shellQuote(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
