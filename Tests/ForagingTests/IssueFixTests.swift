import DockerEngine
import Foraging
import Foundation
import Grading
import Sandbox
import Tasks
import Testing
import TestSupport
import Trajectories

/// Issue-fix tasks from real history: Images/toolz-history holds seven consecutive PyPI releases of
/// toolz as seven commits. The history is read with libgit2 from the image's .git, the tasks are
/// validated at their parent commits, every row resolves with its gold patch and not as the base
/// stands, and an agent's sandbox starts at the base with the newer commits gone.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct IssueFixTests {
    static let specPath = packageRoot.appendingPathComponent("Tasks/repos/toolz-history.json").path

    struct Summary: Decodable {
        let candidates: Int, validated: Int, tasks_file: String, episodes: Int, resolved: Int, scanned: Int
        let commits: [Commit]
        struct Commit: Decodable { let commit: String, parent: String, candidate: Bool, kept: Bool, solved: Bool, instance_id: String? }
    }

    struct EvalSummary: Decodable { let resolved_instances: Int, completed_instances: Int, resolved_ids: [String] }

    @Test(.timeLimit(.minutes(10)))
    func theHistoryIsSplitIntoSourceAndTestChanges() async throws {
        try await TestImages.shared.ensure(["toolz-history"])
        let spec = try RepoSpec.load(Self.specPath)
        let client = try await DockerClient.connect()
        let gitDir = try await GitHistory.copyGitDirectory(client: client, image: spec.image, repoRoot: spec.repoRoot, runID: "issuefix-test")
        defer { try? FileManager.default.removeItem(at: gitDir.deletingLastPathComponent()) }
        let history = try GitHistory.read(gitDirectory: gitDir.path, sourceDirectories: spec.sourceDirectories)
        #expect(history.scanned == 7)
        // The root has no parent; the six release-to-release commits remain, newest first.
        #expect(history.commits.count == 6)
        #expect(history.commits.first?.sha == history.head)
        #expect(history.commits.first?.message.hasPrefix("toolz 1.0.0") == true)
        for (newer, older) in zip(history.commits, history.commits.dropFirst()) { #expect(newer.parent == older.sha) }
        #expect(history.commits.filter(\.isCandidate).count == 5)
        for c in history.commits {
            #expect(c.sourceFiles.allSatisfy { $0.hasPrefix("toolz/") && !$0.hasPrefix("toolz/tests/") })
            #expect(c.testFiles.allSatisfy { PatchFiles.looksLikeTest($0) })
            // The patches parse back to exactly the files they were made of.
            if !c.sourcePatch.isEmpty { #expect(try PatchFiles(parsing: c.sourcePatch).files.map(\.newPath).sorted() == c.sourceFiles.sorted()) }
            if !c.testPatch.isEmpty { #expect(try PatchFiles(parsing: c.testPatch).files.map(\.newPath).sorted() == c.testFiles.sorted()) }
        }
        // Packaging files changed between releases go in neither patch.
        #expect(history.commits.contains { $0.otherFiles.contains("PKG-INFO") })
    }

    @Test(.timeLimit(.minutes(10)))
    func baseCommitIsCheckedOutOnlyWhenItIsAnOlderCommitOfTheImage() async throws {
        try await TestImages.shared.ensure(["toolz-history"])
        let spec = try RepoSpec.load(Self.specPath)
        let client = try await DockerClient.connect()
        let config = SandboxConfig(image: spec.image, repoRoot: spec.repoRoot, runID: "issuefix-test", episodeID: "base-commit",
                                   role: .forage, network: false, lifetime: .seconds(600))
        try await Sandbox.with(client: client, config: config) { sandbox in
            func git(_ args: String) async throws -> String {
                let run = try await client.exec(container: sandbox.containerID, ["bash", "-c", "git " + args], workingDir: spec.repoRoot)
                return run.output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let head = try await git("rev-parse HEAD"), parent = try await git("rev-parse HEAD~1")
            func row(_ base: String) -> TaskRow { TaskRow(instanceID: "t", baseCommit: base, image: spec.image, repoRoot: spec.repoRoot) }
            #expect(try await BaseCommit.checkout(task: row(""), client: client, containerID: sandbox.containerID) == false)
            #expect(try await BaseCommit.checkout(task: row(head), client: client, containerID: sandbox.containerID) == false)
            // A commit the image does not hold: the image is the base, as SWE-bench images are.
            #expect(try await BaseCommit.checkout(task: row(String(repeating: "ab", count: 20)), client: client,
                                                  containerID: sandbox.containerID) == false)
            #expect(try await git("rev-parse HEAD") == head)
            #expect(try await BaseCommit.checkout(task: row(parent), client: client, containerID: sandbox.containerID) == true)
            #expect(try await git("rev-parse HEAD") == parent)
            #expect(try await git("symbolic-ref --short HEAD") == "main")
            #expect(try await git("status --porcelain --untracked-files=no").isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(30)))
    func foragedRowsResolveWithGoldNotAtTheBaseAndEpisodesStartThere() async throws {
        try await TestImages.shared.ensure(["toolz-history"])
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["forage", "--repo", Self.specPath, "--mode", "issue-fix", "--logs-dir", dir.path, "--json"]

        let (status, output) = try forager(common + ["--out", "tasks.jsonl", "--run-id", "synth"], in: dir)
        #expect(status == 0)
        let synth = try JSONDecoder().decode(Summary.self, from: Data(output.utf8))
        #expect(synth.scanned == 7 && synth.candidates == 5 && synth.episodes == 0 && synth.tasks_file == "tasks.jsonl")
        #expect(synth.validated >= 1)
        let keys = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]).keys
        #expect(Set(keys) == ["repo", "image", "run_id", "mode", "head", "scanned", "candidates", "validated", "tasks_file", "seconds",
                              "seconds_per_validated", "episodes", "resolved", "commits"])
        let rows = try TaskLoader.load(dir.appendingPathComponent("tasks.jsonl").path)
        #expect(rows.count == synth.validated)
        for row in rows {
            let commit = try #require(synth.commits.first { $0.instance_id == row.instanceID })
            #expect(commit.kept && row.baseCommit == commit.parent)
            #expect(!row.failToPass.isEmpty && !row.patch.isEmpty && !row.testPatch.isEmpty)
            #expect(row.extra["commit"]?.stringValue == commit.commit)
            // No gold in the statement: none of the fix's distinctive added lines appear in it.
            let added = row.patch.split(separator: "\n").filter { $0.hasPrefix("+") && !$0.hasPrefix("+++") }
                .map { $0.dropFirst().trimmingCharacters(in: .whitespaces) }.filter { $0.count >= 40 }
            #expect(!added.isEmpty && added.allSatisfy { !row.problemStatement.contains($0) })
        }

        // forager eval: the gold patches resolve every row; empty patches none.
        let (goldStatus, _) = try forager(["eval", "--tasks", "tasks.jsonl", "--gold", "--run-id", "gold", "--report-dir", dir.path,
                                           "--logs-dir", dir.path], in: dir)
        #expect(goldStatus == 0)
        let gold = try JSONDecoder().decode(EvalSummary.self, from: Data(contentsOf: dir.appendingPathComponent("gold.gold.json")))
        #expect(gold.resolved_instances == rows.count && Set(gold.resolved_ids) == Set(rows.map(\.instanceID)))
        let (emptyStatus, _) = try forager(["eval", "--tasks", "tasks.jsonl", "--empty", "--run-id", "empty", "--report-dir", dir.path,
                                            "--logs-dir", dir.path], in: dir)
        #expect(emptyStatus == 0)
        let empty = try JSONDecoder().decode(EvalSummary.self, from: Data(contentsOf: dir.appendingPathComponent("empty.empty.json")))
        #expect(empty.resolved_instances == 0)
        // And the tree as it stands at the base, hidden tests run, does not resolve either.
        let evaluator = InstanceEvaluator(client: try await DockerClient.connect(), grade: Grader.grade)
        for row in rows {
            let result = await evaluator.evaluateTree(task: row, runID: "base", directory: dir.appendingPathComponent("base/\(row.instanceID)"),
                                                      timeout: .seconds(600))
            #expect(result.outcome == .unresolved)
        }

        // Episodes: a scripted agent sees HEAD at the base with no newer commit reachable, then submits the gold fix
        // (files it adds included, hence `git add -A`).
        let scripts = rows.map { row in
            (row.instanceID, [
                "Let me look.\n<tool: bash>\necho HEAD=$(git rev-parse HEAD); echo ALL=$(git rev-list --all | wc -l); git status --short; echo LOG-END\n</tool>",
                "<tool: create>\n/tmp/fix.patch\n\(row.patch)\n</tool>",
                "<tool: bash>\ngit apply /tmp/fix.patch && git add -A && git diff --cached > /tmp/submission.patch\n</tool>",
                "<tool: submit>\n/tmp/submission.patch\n</tool>",
                "Fixed.",
            ])
        }
        try ScriptedAgent.write(scripts, to: dir.appendingPathComponent("agent.jsonl"))
        let db = dir.appendingPathComponent("forage.sqlite").path
        let (runStatus, runOutput) = try forager(common + ["--out", "tasks2.jsonl", "--run-id", "episodes", "--samples", "1",
                                                           "--scripted", "agent.jsonl", "--model", "tiny", "--db", db], in: dir)
        #expect(runStatus == 0)
        let run = try JSONDecoder().decode(Summary.self, from: Data(runOutput.utf8))
        #expect(run.episodes == rows.count && run.resolved == rows.count)
        #expect(run.commits.filter(\.solved).count == rows.count)

        let store = try await TrajectoryStore.open(at: db)
        let episodes = try await store.episodes(run: "episodes")
        #expect(episodes.count == rows.count)
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0.instanceID, $0) })
        for e in episodes {
            #expect(e.source == "forage:toolz-history")
            let row = try #require(byID[e.instanceID])
            let first = try await store.episode(e.id).steps.first?.observationBody ?? ""
            #expect(first.contains("HEAD=\(row.baseCommit)"))
            // The base's ancestors only: the history has 7 commits, the fix and its successors are gone.
            let position = synth.commits.firstIndex { $0.commit == row.extra["commit"]?.stringValue } ?? 0
            #expect(first.contains("ALL=\(7 - position - 1)\n"))
            #expect(first.contains("\nLOG-END"))
        }
    }
}
