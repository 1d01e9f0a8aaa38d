import Agent
import DockerEngine
import DockerEnvironment
import Foundation
import Sandbox
import Tasks
import Testing
import TestSupport
import Trajectories

/// SWE-bench end to end on official-layout images built here (Images/swebench-env-flask and
/// Images/swebench-flask-*, from flask's PyPI releases): the rows of Tasks/swebench-flask are
/// classic 12-key rows, run with the harness's unchanged specifications for pallets/flask.
@Suite("SWE-bench rows on official-layout images", .enabled { await dockerTestsEnabled() }, .serialized)
struct OfficialLayoutTests {
    static let recipes = ["swebench-flask-2.2.5", "swebench-flask-2.3.2"]
    static let rowsFile = packageRoot.appendingPathComponent("Tasks/swebench-flask/rows.jsonl").path

    init() async throws {
        try await TestImages.shared.ensure(Self.recipes)
    }

    func rows() throws -> [TaskRow] {
        try TaskLoader.load(Self.rowsFile).map { $0.withOfficialImage(OfficialImage(namespace: "forager")) }
    }

    /// `forager eval` on the rows; the summary it prints with --json.
    func eval(_ arguments: [String], runID: String, in directory: URL) throws -> [String: Any] {
        let result = try forager(["eval", "--tasks", Self.rowsFile, "--image-namespace", "forager", "--run-id", runID,
                                  "--report-dir", directory.path, "--logs-dir", directory.appendingPathComponent("logs").path,
                                  "--json"] + arguments)
        #expect(result.status == 0, "forager eval \(arguments) exited \(result.status): \(result.output)")
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(result.output)")
    }

    /// `repository` and `tag` of an image reference.
    static func split(_ image: String) -> (String, String) {
        guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return (image, "latest") }
        return (String(image[..<colon]), String(image[image.index(after: colon)...]))
    }

    func ids(_ summary: [String: Any], _ key: String) -> [String] {
        ((summary[key] as? [String]) ?? []).sorted()
    }

    @Test("gold resolves, an empty patch and a wrong patch (only the changelog of the fix) do not, under swebench-v5 and v4")
    func verdicts() async throws {
        let rows = try rows()
        let all = rows.map(\.instanceID).sorted()
        #expect(all == ["pallets__flask-2.2.5", "pallets__flask-2.3.2"])
        let temp = try TempDir(prefix: "forager-official-layout-")
        defer { temp.remove() }
        let directory = temp.url
        // A wrong patch that applies: the gold patch's CHANGES.rst part alone.
        let wrong = try rows.map { row -> String in
            let changelog = row.patch.components(separatedBy: "diff --git ").filter { $0.hasPrefix("a/CHANGES.rst ") }
            #expect(changelog.count == 1)
            let prediction: [String: String] = ["instance_id": row.instanceID, "model_name_or_path": "wrong",
                                                "model_patch": changelog.map { "diff --git " + $0 }.joined()]
            return String(decoding: try JSONSerialization.data(withJSONObject: prediction), as: UTF8.self)
        }.joined(separator: "\n")
        let wrongFile = directory.appendingPathComponent("wrong.jsonl")
        try wrong.write(to: wrongFile, atomically: true, encoding: .utf8)

        for mode in ["swebench-v5", "swebench-v4"] {
            let gold = try eval(["--gold", "--grading", mode], runID: "gold-\(mode)", in: directory)
            #expect(ids(gold, "resolved_ids") == all, "\(mode) gold: \(gold)")
            #expect(ids(gold, "error_ids").isEmpty)
            let empty = try eval(["--empty", "--grading", mode], runID: "empty-\(mode)", in: directory)
            #expect(ids(empty, "resolved_ids").isEmpty, "\(mode) empty: \(empty)")
            #expect(ids(empty, "empty_patch_ids") == all)
            let wrongRun = try eval(["--predictions", wrongFile.path, "--grading", mode], runID: "wrong-\(mode)", in: directory)
            #expect(ids(wrongRun, "resolved_ids").isEmpty, "\(mode) wrong: \(wrongRun)")
            #expect(ids(wrongRun, "unresolved_ids") == all)
            #expect(ids(wrongRun, "error_ids").isEmpty)
        }
        // The wrong patch applied and the FAIL_TO_PASS tests ran and failed (not an apply error).
        let report = directory.appendingPathComponent("logs/run_evaluation/wrong-swebench-v5/wrong/pallets__flask-2.3.2/report.json")
        let text = try String(contentsOf: report, encoding: .utf8)
        #expect(text.contains("\"patch_successfully_applied\" : true"), "\(text)")
        #expect(text.contains("tests/test_basic.py::test_session_refresh_vary"))
    }

    @Test("an image pushed to a registry on 127.0.0.1 and removed locally is pulled by forager eval --registry, and gold resolves")
    func pulledFromRegistry() async throws {
        let client = try await DockerClient.connect()
        let registry = try LocalRegistry.start()
        defer { registry.stop() }
        let row = try #require(try rows().first { $0.instanceID == "pallets__flask-2.3.2" })
        let local = row.image
        let remote = "\(registry.address)/\(local)"
        #expect(remote == OfficialImage(namespace: "forager", registry: registry.address).name(for: row.instanceID))
        let (repository, tag) = Self.split(remote)
        let imageID = try #require(try await client.inspectImage(local)?.id)
        try await client.tagImage(local, repository: repository, tag: tag)
        try await client.pushImage(repository, tag: tag)
        // Gone locally under both names; the layers below it stay with the env image.
        try await client.removeImage(remote, force: false)
        try await client.removeImage(local, force: false)
        #expect(try await client.inspectImage(remote) == nil)
        #expect(try await client.inspectImage(local) == nil)
        do {
            let temp = try TempDir(prefix: "forager-official-pull-")
            defer { temp.remove() }
            let summary = try eval(["--gold", "--grading", "swebench-v5", "--registry", registry.address,
                                    "--instance-ids", row.instanceID], runID: "pulled", in: temp.url)
            #expect(ids(summary, "resolved_ids") == [row.instanceID], "\(summary)")
            #expect(try await client.inspectImage(remote)?.id == imageID, "the pulled image is the one pushed")
        }
        // Put the local name back (same image), so nothing needs building again.
        if try await client.inspectImage(remote) != nil {
            let (localRepository, localTag) = Self.split(local)
            try await client.tagImage(remote, repository: localRepository, tag: localTag)
            try await client.removeImage(remote, force: false)
        }
    }

    @Test("forager run on an official-layout row: the agent's first command sees testbed at /testbed, its fix resolves under swebench-v5")
    func scriptedRun() async throws {
        let row = try #require(try rows().first { $0.instanceID == "pallets__flask-2.3.2" })
        let temp = try TempDir(prefix: "forager-official-run-")
        defer { temp.remove() }
        let script = temp.url.appendingPathComponent("agent.jsonl")
        try ScriptedAgent.write([(row.instanceID, [
            "First, where am I?\n<tool: bash>\necho \"env=$CONDA_DEFAULT_ENV python=$(command -v python) cwd=$(pwd)\"\n</tool>",
            "The fix, as a patch.\n<tool: create>\n/tmp/fix.patch\n\(row.patch)\n</tool>",
            "<tool: bash>\ngit apply /tmp/fix.patch && git diff > /tmp/submission.patch && git diff --stat\n</tool>",
            "<tool: submit>\n/tmp/submission.patch\n</tool>",
            "## Issue Summary\nVary: Cookie.\n\n## Solution and Code Changes\nSee the patch.",
        ])], to: script)
        let result = try forager(["run", "--tasks", Self.rowsFile, "--image-namespace", "forager", "--instance-ids", row.instanceID,
                                  "--scripted", script.path, "--model", "tiny", "--db", temp.dbPath, "--run-id", "official", "--json"])
        #expect(result.status == 0, "\(result.output)")
        let report = try JSONDecoder().decode(RunJSON.self, from: Data(result.output.utf8))
        #expect(report.episodes == 1 && report.submitted == 1 && report.resolved == 1 && report.errors == 0, "\(result.output)")
        let store = try await TrajectoryStore.open(at: temp.dbPath)
        let episode = try await store.episode("official/\(row.instanceID)/0")
        let first = episode.steps.first?.observationText ?? ""
        #expect(first.contains("env=testbed python=/opt/miniconda3/envs/testbed/bin/python cwd=/testbed"), "\(first)")
    }

    @Test("the agent's session shell on a classic row has the testbed environment active, at /testbed; a row with its own test_cmd does not")
    func sessionShell() async throws {
        let client = try await DockerClient.connect()
        let row = try #require(try rows().first { $0.instanceID == "pallets__flask-2.2.5" })
        #expect(row.sessionStartupCommands() == "source /opt/miniconda3/bin/activate && conda activate testbed")
        var own = row
        own.testCommand = "pytest -rA"
        #expect(own.sessionStartupCommands().isEmpty)

        // HOME elsewhere, so the image's /root/.bashrc (which activates testbed too, as the official
        // images' does) is not read: the activation seen is the session's own, from the specifications.
        let factory = EpisodeServices.environmentFactory(client: client, task: row,
                                                         sandbox: SandboxConfig(image: row.image, environment: ["HOME=/tmp"]),
                                                         runID: "official-layout", episodeID: UUID().uuidString.lowercased())
        let environment = try await factory(EpisodeServices.episodeTask(row, source: Self.rowsFile), EpisodeConfig())
        defer { Task { await environment.close() } }
        let sandbox = try #require(environment as? SandboxEnvironment).sandbox
        let outcome = try await sandbox.shell.run("echo \"$CONDA_DEFAULT_ENV $(command -v python) $(pwd)\"; python -c 'import flask; print(flask.__file__)'")
        guard case .success(let output, let exitCode) = outcome else { Issue.record("\(outcome)"); return }
        let text = String(decoding: output, as: UTF8.self)
        #expect(exitCode == 0)
        #expect(text.contains("testbed /opt/miniconda3/envs/testbed/bin/python /testbed"), "\(text)")
        #expect(text.contains("/testbed/src/flask/__init__.py"), "\(text)")
        await environment.close()
    }
}
