import Foundation
import Grading

/// ForagerAgent's mutate-fix prompt: no issue text, the failing tests and their error output,
/// and a request to fix the code.
public enum ProblemStatement {
    public static func make(failing: [String], testOutput: String, testCommand: String, repoRoot: String,
                            maxTests: Int = 20, maxSections: Int = 3, maxCharacters: Int = 6000) -> String {
        let one = failing.count == 1
        var text = "Some tests of this repository fail: \(one ? "1 test" : "\(failing.count) tests") that passed before now \(one ? "fails" : "fail").\n\n"
        text += "Failing tests:\n"
        for t in failing.prefix(maxTests) { text += "- \(t)\n" }
        if failing.count > maxTests { text += "- … and \(failing.count - maxTests) more\n" }
        if let shown = errorOutput(testOutput, maxSections: maxSections, maxCharacters: maxCharacters) {
            text += "\nTheir error output:\n\n```\n\(shown)```\n"
        }
        text += "\nThe tests run with `\(testCommand)` in \(repoRoot). Find the cause of these failures in the source code "
        text += "(the tests are right), fix it so that the failing tests pass again, and keep every other test passing.\n"
        return text
    }

    /// ForagerAgent's issue-fix prompt from history: the commit message stands for the issue,
    /// with the tests that must pass and their error output at the base. Nothing of the fix.
    public static func issue(message: String, failing: [String], testOutput: String, testCommand: String, repoRoot: String,
                             maxTests: Int = 20, maxSections: Int = 3, maxCharacters: Int = 6000) -> String {
        var text = "An issue to resolve in this repository, as its commit message describes it:\n\n"
        text += message.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n", omittingEmptySubsequences: false)
            .map { "> " + $0 }.joined(separator: "\n") + "\n\n"
        let one = failing.count == 1
        text += "When it is resolved, \(one ? "this test passes" : "these \(failing.count) tests pass"); "
        text += "\(one ? "it fails" : "they fail") now (the tests themselves are not all in the repository yet):\n"
        for t in failing.prefix(maxTests) { text += "- \(t)\n" }
        if failing.count > maxTests { text += "- … and \(failing.count - maxTests) more\n" }
        if let shown = errorOutput(testOutput, maxSections: maxSections, maxCharacters: maxCharacters) {
            text += "\nTheir error output:\n\n```\n\(shown)```\n"
        }
        text += "\nThe tests run with `\(testCommand)` in \(repoRoot). Change the source code (not the tests) so that "
        text += "the issue is resolved, and keep every other test passing.\n"
        return text
    }

    static func errorOutput(_ testOutput: String, maxSections: Int, maxCharacters: Int) -> String? {
        let sections = failureSections(Grader.testOutput(of: testOutput))
        guard !sections.isEmpty else { return nil }
        var shown = ""
        for (_, body) in sections.prefix(maxSections) {
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            let kept = lines.count > 40 ? ["[… \(lines.count - 40) lines cut …]"] + lines.suffix(40).map(String.init) : lines.map(String.init)
            shown += kept.joined(separator: "\n") + "\n"
        }
        if shown.count > maxCharacters { shown = "[…]\n" + String(shown.suffix(maxCharacters)) }
        return shown
    }

    /// pytest's FAILURES / ERRORS sections: (title, body) for each `____ title ____` block.
    public static func failureSections(_ output: String) -> [(String, String)] {
        var sections: [(String, String)] = []
        var inFailures = false
        var title: String?
        var body: [Substring] = []
        func flush() {
            if let title { sections.append((title, body.joined(separator: "\n"))) }
            title = nil
            body = []
        }
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("===") && trimmed.hasSuffix("===") {
                flush()
                inFailures = trimmed.contains(" FAILURES ") || trimmed.contains(" ERRORS ")
                continue
            }
            guard inFailures else { continue }
            if trimmed.hasPrefix("__") && trimmed.hasSuffix("__") && trimmed.count > 6 {
                let name = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "_ "))
                if !name.isEmpty && !name.contains("Captured") {
                    flush()
                    title = name
                    body = [line]
                    continue
                }
            }
            if title != nil { body.append(line) }
        }
        flush()
        return sections
    }
}
