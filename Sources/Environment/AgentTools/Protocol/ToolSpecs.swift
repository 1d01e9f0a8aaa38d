/// The tool-spec blocks of CWM's system prompt (spec §1.2 item 2): a usage template followed by
/// a one-line description. They are protocol text, reproduced from CWM's `SYSTEM_UBUNTU`
/// (`cwm/rl/envs/envs/swerl_tool.py`); the bash, edit and create descriptions are also CWM's
/// `serve/tools.py` `*_DESCRIPTION` constants.
public enum ToolSpecs {
    public static let bashTemplate = "<tool: bash>\n[command(s)]\n</tool>"
    public static let bashDescription =
        "Executes bash command(s) [command(s)] in the current session. [command(s)] can be any non-interactive bash command(s), either single or multi-line."

    public static let editTemplate =
        "<tool: edit>\n[path]\n<<<<<<< SEARCH\n[search_lines]\n=======\n[replacement_lines]\n>>>>>>> REPLACE\n</tool>"
    public static let editDescription =
        "Replaces [search_lines] from [path] with [replacement_lines], where [path] must exist and [search_lines] must uniquely and exactly match one or more consecutive lines from the original file, including indentations and whitespaces."

    public static let createTemplate = "<tool: create>\n[path]\n[content]\n</tool>"
    public static let createDescription =
        "Creates a new file at [path] with [content], where [path] must not exist, but its parent directory must exist."

    public static let submitTemplate = "<tool: submit>\n[result]\n</tool>"
    public static let submitDescription =
        "Marks [result] as your final submission. The meaning and format of [result] depends on the specific user request."

    public static let bash = bashTemplate + "\n" + bashDescription
    public static let edit = editTemplate + "\n" + editDescription
    public static let create = createTemplate + "\n" + createDescription
    public static let submit = submitTemplate + "\n" + submitDescription

    /// The spec blocks in prompt order, separated by a blank line: bash, edit, create, submit,
    /// or bash and submit only for the no-plugins variant.
    public static func specifications(plugins: Bool) -> String {
        (plugins ? [bash, edit, create, submit] : [bash, submit]).joined(separator: "\n\n")
    }

    /// The tool names the specifications offer, in the same order.
    public static func names(plugins: Bool) -> [String] {
        plugins ? ["bash", "edit", "create", "submit"] : ["bash", "submit"]
    }
}
