import Foundation

/// Just enough reading of INI (setup.cfg, tox.ini, pytest.ini) and TOML (pyproject.toml) text for
/// the heuristics: section bodies, keys of a section, and a key's (possibly multi-line) value.
enum ConfigText {
    /// The first `key = value` / `key: value` line (at any section), its value unquoted.
    static func value(of key: String, in text: String, separators: [Character] = ["="]) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(key.lowercased()) else { continue }
            let rest = trimmed.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
            guard let first = rest.first, separators.contains(first) else { continue }
            let value = unquote(String(rest.dropFirst()))
            if !value.isEmpty { return value }
        }
        return nil
    }

    /// The lines of section `[name]` (INI or TOML header), up to the next header.
    static func section(_ name: String, in text: String) -> [String]? {
        var body: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") && !trimmed.hasPrefix("[[") {
                if body != nil { return body }
                let header = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if header == name || header == "\"\(name)\"" { body = [] }
                continue
            }
            body?.append(line)
        }
        return body
    }

    /// The keys defined at the top of a section (`key =` lines that are not indented).
    static func keys(ofSection name: String, in text: String) -> [String] {
        guard let body = section(name, in: text) else { return [] }
        return body.compactMap { line in
            guard let first = line.first, !first.isWhitespace, first != "#", first != ";", let eq = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
            let key = unquote(String(line[..<eq]))
            return key.isEmpty ? nil : key
        }
    }

    /// An INI key's value with its indented continuation lines, one item a line.
    static func iniList(_ key: String, inSection name: String, of text: String) -> [String] {
        guard let body = section(name, in: text) else { return [] }
        var items: [String] = []
        var inKey = false
        for line in body {
            if let first = line.first, !first.isWhitespace {
                inKey = false
                if let eq = line.firstIndex(of: "="), line[..<eq].trimmingCharacters(in: .whitespaces) == key {
                    inKey = true
                    let rest = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                    if !rest.isEmpty { items.append(rest) }
                }
            } else if inKey {
                let item = line.trimmingCharacters(in: .whitespaces)
                if !item.isEmpty && !item.hasPrefix("#") { items.append(item) }
            }
        }
        return items
    }

    /// Every string of a TOML key's value (`key = "a"` or a `[ ... ]` list over several lines) in a section.
    static func tomlStrings(_ key: String, inSection name: String, of text: String) -> [String] {
        guard let body = section(name, in: text) else { return [] }
        var collecting = false, chunk = ""
        for line in body {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !collecting {
                guard let eq = trimmed.firstIndex(of: "="), unquote(String(trimmed[..<eq])) == key else { continue }
                chunk = String(trimmed[trimmed.index(after: eq)...])
                collecting = true
            } else {
                chunk += "\n" + trimmed
            }
            if !chunk.contains("[") || chunk.contains("]") { break }
        }
        return quotedStrings(in: chunk)
    }

    /// The contents of every "…" or '…' string in `text`.
    static func quotedStrings(in text: String) -> [String] {
        var result: [String] = [], current = "", quote: Character?
        for c in text {
            if let q = quote {
                if c == q { result.append(current); current = ""; quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                // a comment to the end of the line is not skipped exactly; good enough for lists of requirements
            }
        }
        return result
    }

    static func unquote(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespaces)
        if let hash = s.range(of: " #") { s = String(s[..<hash.lowerBound]) }
        s = s.trimmingCharacters(in: .whitespaces)
        if s.count >= 2, let f = s.first, f == s.last, f == "\"" || f == "'" { s = String(s.dropFirst().dropLast()) }
        return s
    }
}
