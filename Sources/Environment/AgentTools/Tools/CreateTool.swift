import ForagerSupport

/// `create`: writes a new file from `path\ncontent` (spec §2.4), host-side in Swift with the
/// messages of CWM's `plugins/create.py`.
public struct CreateTool: AgentTool {
    public let name = "create"
    public let workspace: any Workspace

    public init(workspace: any Workspace) {
        self.workspace = workspace
    }

    public func run(_ input: String) async throws(ToolBackendError) -> ToolResult {
        // CWM delivers the body through a heredoc, which appends a newline, and the plugin strips
        // exactly one trailing newline again. Any blank line the model left before `</tool>`
        // therefore survives into the file.
        let (succeeded, message) = try await create(pluginInput: input + "\n")
        // The plugin `print`s its message, so the model sees it with a trailing newline.
        return ToolResult(output: message + "\n", succeeded: succeeded)
    }

    /// The plugin proper, on what CWM's plugin reads from stdin.
    func create(pluginInput: String) async throws(ToolBackendError) -> (Bool, String) {
        var command = PythonText.scalars(pluginInput)
        if command.last == "\n" { command.removeLast() }
        let path: String
        let content: String
        if let newline = command.firstIndex(of: "\n") {
            path = PythonText.string(command[..<newline])
            content = PythonText.string(command[(newline + 1)...])
        } else {
            path = PythonText.string(command)
            content = ""
        }

        do throws(WorkspaceError) {
            if !path.isEmpty, try await workspace.exists(path) {
                return (false, "\(path) already exists. Cannot create a new file at an existing path.")
            }
            if path.isEmpty {
                return (false, "Path is empty. Please provide a valid path.")
            }
            let cwd = try await workspace.currentDirectory()
            let parent = PosixPath.dirname(PosixPath.absolute(path, currentDirectory: cwd))
            guard try await workspace.exists(parent) else {
                return (false, "File creation failed. The parent directory \(parent) does not exist.")
            }
            try await workspace.writeFile(path, contents: Array(content.utf8))
        } catch {
            return (false, try error.feedback(creating: path))
        }
        let lineCount = content.unicodeScalars.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        return (true, "File created successfully at: \(path) (\(lineCount) lines).")
    }
}
