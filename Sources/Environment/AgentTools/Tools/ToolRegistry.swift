/// Why a tool call could not be applied.
public enum ToolApplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model named a tool that is not registered (model-facing, spec §1.5).
    case noSuchTool(NoSuchToolError)
    /// The session or workspace infrastructure failed (a backend exception, spec §1.9).
    case backend(ToolBackendError)

    public var description: String {
        switch self {
        case .noSuchTool(let error): error.renderedForModel
        case .backend(let error): error.message
        }
    }
}

/// The tools of one episode, looked up by the name the model writes (CWM's `apply_tool`).
public struct ToolRegistry: Sendable {
    public let tools: [String: any AgentTool]

    /// Any set of tools; a later tool with the same name replaces an earlier one.
    public init(tools: [any AgentTool]) {
        var byName: [String: any AgentTool] = [:]
        for tool in tools { byName[tool.name] = tool }
        self.tools = byName
    }

    /// The SWE env's tools: bash and diff submit, plus edit and create when `plugins` is on
    /// (off matches CWM's no-plugins variant).
    public static func swe(session: any ShellSession, workspace: any Workspace, plugins: Bool = true) -> ToolRegistry {
        var tools: [any AgentTool] = [BashTool(session: session), SubmitTool(session: session, kind: .diffFile)]
        if plugins {
            tools += [EditTool(workspace: workspace), CreateTool(workspace: workspace)]
        }
        return ToolRegistry(tools: tools)
    }

    /// The registered names, sorted.
    public var names: [String] { tools.keys.sorted() }

    /// The tool called `name`, or CWM's NoSuchToolError.
    public func tool(named name: String) throws(NoSuchToolError) -> any AgentTool {
        guard let tool = tools[name] else { throw NoSuchToolError(toolName: name) }
        return tool
    }

    /// Runs the call's tool on its unstripped input.
    public func apply(_ call: ToolCall) async throws(ToolApplicationError) -> ToolResult {
        let tool: any AgentTool
        do {
            tool = try self.tool(named: call.name)
        } catch {
            throw .noSuchTool(error)
        }
        do {
            return try await tool.run(call.input)
        } catch {
            throw .backend(error)
        }
    }
}
