import ForagerSupport

/// One search/replace block of an edit call.
struct EditBlock: Equatable {
    /// The whole line before `<<<<<<< SEARCH`, unstripped.
    var path: String
    var search: String
    var replacement: String

    private static let searchMarker = PythonText.scalars("\n<<<<<<< SEARCH\n")
    private static let divider = PythonText.scalars("\n=======\n")
    private static let replaceMarker = PythonText.scalars("\n>>>>>>> REPLACE")

    /// All blocks, as CWM's `re.findall` of
    /// `(.*)\n<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE` finds them.
    static func findAll(in command: String) -> [EditBlock] {
        let text = PythonText.scalars(command)
        var blocks: [EditBlock] = []
        var position = 0
        // `(.*)` cannot cross a newline, so a match starting at p uses the first newline after p
        // as the start of the SEARCH marker: each marker occurrence decides one family of starts,
        // the earliest being the start of its line (or `position`).
        while let marker = Occurrences.first(of: searchMarker, in: text, from: position) {
            let searchStart = marker + searchMarker.count
            guard let dividerAt = Occurrences.first(of: divider, in: text, from: searchStart),
                  let replaceAt = Occurrences.first(
                    of: replaceMarker, in: text, from: dividerAt + divider.count)
            else {
                // Extending the lazy groups only moves the later searches right, so no
                // start that uses this marker can match.
                position = marker + 1
                continue
            }
            var lineStart = marker
            while lineStart > position, text[lineStart - 1] != "\n" { lineStart -= 1 }
            blocks.append(EditBlock(
                path: PythonText.string(text[lineStart..<marker]),
                search: PythonText.string(text[searchStart..<dividerAt]),
                replacement: PythonText.string(text[(dividerAt + divider.count)..<replaceAt])))
            position = replaceAt + replaceMarker.count
        }
        return blocks
    }
}
