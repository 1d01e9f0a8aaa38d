import Foundation
import Tasks

/// The eval script SWE-bench's harness runs for a classic row, built from the specification data
/// (`SWEBenchSpecs`): 4.1.0's `make_eval_script_list_py` shape, and for 5.0.2 the same script with
/// the exit-code lines its test spec adds (`record_test_exit_code`).
public enum SWEBenchEvalScript {
    /// The script, or nil when the row's repository and version have no specification.
    public static func make(for row: TaskRow, release: SWEBenchRelease, specs: SWEBenchSpecs = .bundled) -> String? {
        guard let list = commands(for: row, specs: specs) else { return nil }
        let facts = specs.evalScript
        let v4 = (facts.header + list).joined(separator: "\n") + "\n"
        guard release == .v5 else { return v4 }
        return (facts.header + recordingExitCode(parsed(v4, header: facts.header), specs: specs)).joined(separator: "\n") + "\n"
    }

    /// The test command with its directives (what the script runs between the markers), or nil.
    public static func testCommand(for row: TaskRow, specs: SWEBenchSpecs = .bundled) -> String? {
        guard let spec = specs.spec(repo: row.repo, version: row.version) else { return nil }
        return ([spec.testCommand] + directives(for: row, specs: specs)).joined(separator: " ")
    }

    /// 4.1.0's command list (the script without its two header lines).
    static func commands(for row: TaskRow, specs: SWEBenchSpecs) -> [String]? {
        guard let spec = specs.spec(repo: row.repo, version: row.version),
              let testCommand = testCommand(for: row, specs: specs) else { return nil }
        let facts = specs.evalScript
        let directory = facts.repoDirectory, base = row.baseCommit
        let reset = "git checkout \(base) \(modifiedFiles(row.testPatch).joined(separator: " "))"
        let apply = "git apply -v - <<'\(facts.heredocDelimiter)'\n\(row.testPatch)\n\(facts.heredocDelimiter)"
        var list = facts.activate + ["cd \(directory)"]
        list += spec.evalCommands ?? []
        list += ["git config --global --add safe.directory \(directory)", "cd \(directory)", "git status", "git show",
                 "git -c core.fileMode=false diff \(base)"] + facts.activate
        if let install = spec.install { list.append(install) }
        list += [reset, apply, ": '\(facts.startMarker)'", testCommand, ": '\(facts.endMarker)'", reset]
        return list
    }

    /// The test directives `get_test_directives` takes from a test patch: the `b/` path of every
    /// `diff --git` header, without non-test extensions; for django, dotted module names.
    public static func directives(for row: TaskRow, specs: SWEBenchSpecs = .bundled) -> [String] {
        let excluded = specs.evalScript.nonTestExtensions
        var paths: [String] = []
        for line in lines(row.testPatch) {
            // `re.findall(r"diff --git a/.* b/(.*)", test_patch)`: anywhere in a line, the last ` b/`.
            guard let start = line.range(of: "diff --git a/") else { continue }
            let rest = line[start.upperBound...]
            guard let range = rest.range(of: " b/", options: .backwards) else { continue }
            paths.append(String(rest[range.upperBound...]))
        }
        paths = paths.filter { path in !excluded.contains { path.hasSuffix($0) } }
        guard specs.repos[row.repo]?.testDirectives == "django" else { return paths }
        return paths.map { path in
            var d = Substring(path)
            if d.hasSuffix(".py") { d = d.dropLast(3) }
            if d.hasPrefix("tests/") { d = d.dropFirst(6) }
            return d.replacingOccurrences(of: "/", with: ".")
        }
    }

    /// `get_modified_files`: the source path (without `a/`) of each file of the patch that is not
    /// new, as unidiff reads `diff --git` headers, `new file mode` lines and `---` lines.
    public static func modifiedFiles(_ patch: String) -> [String] {
        var sources: [String] = []
        var inGitHeader = false
        var pendingSource: String?
        var hunkLeft = (old: 0, new: 0)
        for line in lines(patch) {
            if hunkLeft.old > 0 || hunkLeft.new > 0 {
                // A hunk's body (unidiff reads it by the header's counts, whatever the lines say).
                switch line.unicodeScalars.first {
                case "-"?: hunkLeft.old -= 1
                case "+"?: hunkLeft.new -= 1
                case "\\"?: break
                default: hunkLeft.old -= 1; hunkLeft.new -= 1
                }
                continue
            }
            if line.hasPrefix("diff --git ") {
                let rest = line.dropFirst("diff --git ".count)
                let source = rest.range(of: " b/", options: .backwards).map { String(rest[..<$0.lowerBound]) } ?? String(rest)
                sources.append(source)
                inGitHeader = true
            } else if inGitHeader, line.hasPrefix("new file mode "), !sources.isEmpty {
                sources[sources.count - 1] = "/dev/null"
            } else if line.hasPrefix("--- ") {
                if !inGitHeader { pendingSource = String(line.dropFirst(4).prefix { $0 != "\t" }) }
            } else if line.hasPrefix("+++ ") {
                if !inGitHeader, let source = pendingSource { sources.append(source) }
                pendingSource = nil
            } else if line.hasPrefix("@@ ") {
                inGitHeader = false
                hunkLeft = hunkCounts(line)
            }
        }
        return sources.filter { $0 != "/dev/null" && $0.hasPrefix("a/") }.map { String($0.dropFirst(2)) }
    }

    /// The old and new line counts of a hunk header `@@ -a[,b] +c[,d] @@` (a missing count is 1).
    static func hunkCounts(_ header: String) -> (old: Int, new: Int) {
        let fields = header.split(separator: " ")
        func count(_ prefix: Character) -> Int {
            guard let field = fields.first(where: { $0.first == prefix }) else { return 0 }
            let parts = field.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            return parts.count > 1 ? Int(parts[1]) ?? 0 : 1
        }
        return (count("-"), count("+"))
    }

    /// 5.0.2's `parse_eval_script`: the script stripped, split into lines, the header lines dropped.
    static func parsed(_ script: String, header: [String]) -> [String] {
        lines(script.trimmingCharacters(in: .whitespacesAndNewlines)).filter { !header.contains($0) }
    }

    /// 5.0.2's `record_test_exit_code`: the exit status kept before the end marker, echoed after it.
    static func recordingExitCode(_ list: [String], specs: SWEBenchSpecs) -> [String] {
        let facts = specs.exitCode
        guard let i = list.firstIndex(where: { $0.contains(specs.evalScript.endMarker) }) else { return list }
        return Array(list[..<i]) + ["\(facts.variable)=$?", list[i], "echo \"\(facts.marker): $\(facts.variable)\""]
            + Array(list[(i + 1)...])
    }

    /// Lines split at every `\n` only (a `\r` stays in its line, as Python's `split("\n")` keeps it).
    static func lines(_ text: String) -> [String] {
        var out: [String] = [], current = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" { out.append(String(current)); current = String.UnicodeScalarView() } else { current.append(scalar) }
        }
        out.append(String(current))
        return out
    }
}
