import ForagerSupport

/// `edit`: one search/replace block applied to a file (spec §2.3), host-side in Swift with the
/// messages of CWM's `plugins/edit.py`.
///
/// CWM's quirks are kept: the file is read with universal newlines (CRLF and lone CR become
/// LF across the whole file on any successful edit), a match must start at a line start but may
/// end mid-line, and an empty replacement leaves an empty line.
public struct EditTool: AgentTool {
    public let name = "edit"
    public let workspace: any Workspace

    /// Lines of context shown on each side of the replacement.
    static let snippetContext = 8

    /// The message for a call without a parseable block: CWM's `PARSE_ERROR`, which repeats the
    /// edit template of the system prompt.
    public static let parseErrorMessage =
        "Failed to parse the edit tool call. Make sure it has the following format:\n\n" + ToolSpecs.editTemplate

    public init(workspace: any Workspace) {
        self.workspace = workspace
    }

    public func run(_ input: String) async throws(ToolBackendError) -> ToolResult {
        // The plugin reads the heredoc, which ends with one newline after the body.
        let (succeeded, message) = try await edit(pluginInput: input + "\n")
        // The plugin `print`s its message, so the model sees it with a trailing newline.
        return ToolResult(output: message + "\n", succeeded: succeeded)
    }

    /// The plugin proper, on what CWM's plugin reads from stdin.
    func edit(pluginInput: String) async throws(ToolBackendError) -> (Bool, String) {
        let blocks = EditBlock.findAll(in: pluginInput)
        guard let block = blocks.first else { return (false, Self.parseErrorMessage) }
        guard blocks.count == 1 else {
            return (false, "Only one search/replace block is allowed. Got: \(blocks.count).")
        }
        let path = block.path

        let original: [UInt8]
        do throws(WorkspaceError) {
            guard !path.isEmpty, try await workspace.exists(path) else {
                return (false, "The path \(path) does not exist. Please provide a valid path.")
            }
            if try await workspace.isDirectory(path) {
                throw WorkspaceError.isDirectory(path: path)
            }
            original = try await workspace.readFile(path)
        } catch {
            return (false, try error.feedback(editing: path))
        }
        guard TextDecoding.utf8Strict(original) != nil else {
            return (false, "The file \(path) is not valid UTF-8 text, so the edit tool cannot change it.")
        }

        // Prepending a newline to both sides makes every match start at a line start.
        let newline: UInt8 = 0x0A
        let file = [newline] + TextDecoding.universalNewlines(original)
        let search = [newline] + Array(block.search.utf8)
        let occurrences = Occurrences.allOverlapping(of: search, in: file)

        if occurrences.isEmpty {
            return (false, Self.notFoundMessage(path: path, search: block.search, file: file))
        }
        if occurrences.count > 1 {
            let lines = occurrences.map { lineNumber(ofByteAt: $0, in: file) }
            let list = "[" + lines.map(String.init).joined(separator: ", ") + "]"
            return (false,
                "No replacement was performed. Multiple occurrences of the search text in lines \(list) of \(path). Please ensure it is unique.")
        }

        let at = occurrences[0]
        let replacement = Array(block.replacement.utf8)
        // Replace in the newline-prefixed form, then drop the prefix again.
        var updated = Array(file[..<at]) + [newline] + replacement + Array(file[(at + search.count)...])
        updated.removeFirst()
        do throws(WorkspaceError) {
            try await workspace.writeFile(path, contents: updated)
        } catch {
            return (false, try error.feedback(editing: path))
        }
        return (true, successMessage(
            path: path, line: lineNumber(ofByteAt: at, in: file), updated: updated, replacement: replacement))
    }

    private static func notFoundMessage(path: String, search: String, file: [UInt8]) -> String {
        var message = "No replacement was performed, the search lines did not appear verbatim in \(path)."
        let firstLine = search.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).first
            .map { PythonText.string($0) } ?? ""
        let stripped = Array(PythonText.lstrip(firstLine).utf8)
        if Occurrences.contains(stripped, in: file) {
            message += " The search lines must exactly match one or more consecutive lines from the file, with indentations preserved."
        }
        return message
    }

    /// The 1-based line that starts after the newline at `index` of the newline-prefixed file.
    private func lineNumber(ofByteAt index: Int, in file: [UInt8]) -> Int {
        file[..<index].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    private func successMessage(path: String, line: Int, updated: [UInt8], replacement: [UInt8]) -> String {
        let newlines = { (bytes: [UInt8]) in bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } }
        let lineCount = newlines(updated) + 1
        let startLine = max(1, line - Self.snippetContext)
        let endLine = line + Self.snippetContext + newlines(replacement)
        let lines = updated.split(separator: 0x0A, omittingEmptySubsequences: false)
        let shown = lines.indices.filter { $0 >= startLine - 1 && $0 < endLine }
        let snippet = shown.map { index in
            Self.rightAligned(index + 1, width: 6) + "\t" + TextDecoding.utf8DroppingInvalid(lines[index])
        }.joined(separator: "\n")
        return "File \(path) has been successfully updated at line \(line) and now contains \(lineCount) lines. "
            + "The surrounding lines after the edit are shown below:\n\(snippet)\n"
            + "Review the changes and make sure they are as expected."
    }

    /// Python's `f"{n:6}"`.
    static func rightAligned(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return String(repeating: " ", count: max(0, width - digits.count)) + digits
    }
}
