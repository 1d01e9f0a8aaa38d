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
        let sections = failureSections(Grader.testOutput(of: testOutput))
        if !sections.isEmpty {
            var shown = ""
            for (_, body) in sections.prefix(maxSections) {
                let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
                let kept = lines.count > 40 ? ["[… \(lines.count - 40) lines cut …]"] + lines.suffix(40).map(String.init) : lines.map(String.init)
                shown += kept.joined(separator: "\n") + "\n"
            }
            if shown.count > maxCharacters { shown = "[…]\n" + String(shown.suffix(maxCharacters)) }
            text += "\nTheir error output:\n\n```\n\(shown)```\n"
        }
        text += "\nThe tests run with `\(testCommand)` in \(repoRoot). Find the cause of these failures in the source code "
        text += "(the tests are right), fix it so that the failing tests pass again, and keep every other test passing.\n"
        return text
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
