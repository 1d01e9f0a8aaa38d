import Foundation

/// The two long prompt texts (spec §1.2) and the optional test-patch hint: Forager's own wording
/// of CWM's structure. The files under `Tasks/prompts/` are the editable copy of the built-in
/// texts below (a test keeps them identical); `load(directory:)` reads a replacement set, such as
/// CWM's originals, where any missing file falls back to the built-in text.
public struct PromptTemplates: Sendable, Hashable {
    public static let environmentFile = "environment.txt"
    public static let issueFile = "issue.txt"
    public static let testPatchHintFile = "test_patch_hint.txt"

    /// Placeholders: `{session_timeout}`, `{context_size}`, `{max_turns}`, `{tool_specifications}`.
    public var environment: String
    /// Placeholders: `{issue}`, `{repo_root}`.
    public var issue: String
    /// Placeholder: `{test_patch}`.
    public var testPatchHint: String

    public init(environment: String, issue: String, testPatchHint: String) {
        self.environment = environment
        self.issue = issue
        self.testPatchHint = testPatchHint
    }

    public static let builtIn = PromptTemplates(
        environment: #"""
You are working in a linux container. The container session is persistent but will restart when encountering errors or after a {session_timeout} session timeout in each turn. You are also constrained by a {context_size} total context window limit. You can interact with the container through the following tool interface for at most {max_turns} turns. Here are the specifications:

{tool_specifications}

REQUIREMENTS:
* Call only one tool per step; never put two tool blocks in one response.
* Until you have submitted, every step must contain exactly one tool call.
* Once a submission has succeeded, write your final response if the issue is resolved; otherwise keep working and submit again. Do not give a final response before you have submitted.

"""#,
        issue: #"""
Solve the following issue by implementing the necessary code changes and submitting a patch file:

<issue_description>
{issue}
</issue_description>

Submit with the submit tool: its [result] is the path of a patch file in git diff format (for example, the output of `git diff` saved to a file), reachable from the current working directory. You may submit as many times as you like; the latest successful submission counts.

When you are done, write your final response in this markdown template:

## Issue Summary
[what the issue is and why it happens]

## Investigation and Reproduction
[how you located the cause and reproduced the problem]

## Solution and Code Changes
[what you changed and why it fixes the issue]

## Testing and Verification
[how you checked that the fix works and breaks nothing else]

Correctness matters most: reproduce the issue before changing code, keep the change focused, and test it, including edge cases, before you submit.

I've uploaded the corresponding code repository at {repo_root} and installed all the necessary dependencies. Now, the bash session has started, with the current working directory set to the repo root.

"""#,
        testPatchHint: #"""
Hint: the change will be checked with tests like the ones in the following patch.

```diff
{test_patch}
```

"""#)

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the templates of `directory`; files it lacks keep the built-in text.
    public static func load(directory: URL) throws -> PromptTemplates {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(description: "\(directory.path): no such prompt directory")
        }
        func read(_ name: String, _ fallback: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return fallback }
            do {
                return String(decoding: try Data(contentsOf: url), as: UTF8.self)
            } catch {
                throw LoadError(description: "\(url.path): \(error)")
            }
        }
        return PromptTemplates(
            environment: try read(environmentFile, builtIn.environment),
            issue: try read(issueFile, builtIn.issue),
            testPatchHint: try read(testPatchHintFile, builtIn.testPatchHint))
    }

    /// Replaces each `{name}` literally, in one pass: a value that itself contains a placeholder
    /// (an issue quoting `{repo_root}`) is not filled again.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            if let close = rest[open...].firstIndex(of: "}"),
               let value = values[String(rest[rest.index(after: open)..<close])] {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }
}
