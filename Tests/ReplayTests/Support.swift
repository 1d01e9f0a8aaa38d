import DockerEngine
import Foundation
import Testing
import TestSupport

/// Runs any program from the package root; its standard output. NO_COLOR is removed from the
/// inherited environment: the caller decides, through `environment`.
func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
    try ChildProcess(URL(fileURLWithPath: program), arguments, directory: packageRoot, environment: environment,
                     removing: ["NO_COLOR"]).finish().output
}

/// A scripted episode on demo__calc-1, recorded by `forager run` in its own database, its task
/// pointing at a private tag of the demo image (so the test can change that image afterwards
/// without touching anyone else's).
struct RecordedEpisode {
    static let episodeID = "rp/demo__calc-1/0"

    let image: String
    let db: String
    let directory: URL

    /// Turns: 0 `ls`, 1 reads README.md, 2 prints a timestamp and a temporary directory,
    /// 3 writes the fix, 4 applies it, 5 submits, 6 the final answer (no observation).
    static let turns = [
        "Let me look around.\n<tool: bash>\nls\n</tool>",
        "<tool: bash>\nhead -n 3 README.md\n</tool>",
        "<tool: bash>\necho started at $(date -u +%Y-%m-%dT%H:%M:%S.%N) in $(mktemp -d)\n</tool>",
        """
        I will write the fix as a patch.
        <tool: create>
        /tmp/fix.patch
        diff --git a/calc/parser.py b/calc/parser.py
        index b92c514..626f13c 100644
        --- a/calc/parser.py
        +++ b/calc/parser.py
        @@ -97,11 +97,10 @@ class Parser:
         
             def parse_power(self):
                 base = self.parse_atom()
        -        while True:
        -            op = self.accept("**")
        -            if not op:
        -                return base
        -            base = Binary("**", base, self.parse_atom(), op.position)
        +        op = self.accept("**")
        +        if op:
        +            return Binary("**", base, self.parse_unary(), op.position)
        +        return base
         
             def parse_atom(self):
                 token = self.current

        </tool>
        """,
        "<tool: bash>\ngit apply /tmp/fix.patch && git diff > /tmp/submission.patch && git diff --stat\n</tool>",
        "<tool: submit>\n/tmp/submission.patch\n</tool>",
        "## Issue Summary\nThe bug is fixed.\n\n## Solution and Code Changes\nSee the submitted patch.",
    ]

    /// Records the episode; `runArguments` go to `forager run` as well (e.g. loop limits).
    static func record(runArguments: [String] = []) async throws -> RecordedEpisode {
        try await TestImages.shared.ensure(["demo-calc"])
        let client = try await DockerClient.connect()
        let suffix = UUID().uuidString.lowercased().prefix(8)
        let repository = "forager/replay-test-\(suffix)"
        try await client.tagImage("forager/demo-calc:latest", repository: repository, tag: "latest")
        let image = repository + ":latest"

        let directory = TestScratch.url.appendingPathComponent("forager-replay-\(suffix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tasks = try String(contentsOf: packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl"), encoding: .utf8)
        guard let line = tasks.split(separator: "\n").first(where: { $0.contains("\"demo__calc-1\"") }),
              var row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure(description: "demo__calc-1 is not in Tasks/demo/tasks.jsonl")
        }
        row["image"] = image
        try JSONSerialization.data(withJSONObject: row).write(to: directory.appendingPathComponent("tasks.jsonl"))
        try ScriptedAgent.write([("demo__calc-1", turns)], to: directory.appendingPathComponent("script.jsonl"))

        let db = directory.appendingPathComponent("forager.sqlite").path
        let run = try forager(["run", "--tasks", directory.appendingPathComponent("tasks.jsonl").path,
                               "--scripted", directory.appendingPathComponent("script.jsonl").path, "--model", "tiny",
                               "--db", db, "--run-id", "rp", "--json"] + runArguments)
        let recorded = RecordedEpisode(image: image, db: db, directory: directory)
        guard run.status == 0 else {
            await recorded.cleanUp()
            throw TestFailure(description: "forager run failed: \(run.output)")
        }
        return recorded
    }

    /// Changes README.md's first line in the image, folded into HEAD, and drops the old commit:
    /// git sees a clean tree, and the task's base_commit is no longer in the image (otherwise the
    /// sandbox would check the base out again and undo the change, as it does for issue-fix rows).
    func alterImage() async throws {
        let client = try await DockerClient.connect()
        let id = try await client.runContainer(ContainerSpec(image: image, cmd: ["bash", "-c", """
            set -e; cd /testbed
            sed -i '1s/.*/# calc (altered after the episode)/' README.md
            git -c user.name=t -c user.email=t@example.invalid commit -q --amend -a -m 'alter README'
            git reflog expire --expire=now --all
            git gc -q --prune=now
            """], labels: ["forager.test": "1"]))
        let waited = try await client.waitContainer(id, timeout: .seconds(120))
        guard waited.statusCode == 0 else {
            try? await client.removeContainer(id)
            throw TestFailure(description: "altering the image failed with status \(waited.statusCode)")
        }
        let parts = image.split(separator: ":")
        try await client.commitContainer(id, repository: String(parts[0]), tag: String(parts[1]))
        try await client.removeContainer(id)
    }

    func cleanUp() async {
        if let client = try? await DockerClient.connect() { try? await client.removeImage(image, force: true) }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Records an episode, runs `body` on it, then removes its image and files, whatever happened.
func withRecordedEpisode(runArguments: [String] = [], _ body: (RecordedEpisode) async throws -> Void) async throws {
    let recorded = try await RecordedEpisode.record(runArguments: runArguments)
    do {
        try await body(recorded)
    } catch {
        await recorded.cleanUp()
        throw error
    }
    await recorded.cleanUp()
}

struct ReplayJSON: Decodable {
    struct StepResult: Decodable {
        let index: Int
        let status: String
        let diff: String?
    }

    let episode: String, replay_id: String, mode: String, steps: Int, matched: Int, mismatched: Int, score: Double
    let passed: Bool?
    let detail: String?
    let step_results: [StepResult]
}

func replay(_ recorded: RecordedEpisode, _ extra: [String] = []) throws -> ReplayJSON {
    let result = try forager(["replay", RecordedEpisode.episodeID, "--db", recorded.db, "--model", "tiny", "--json"] + extra)
    guard result.status == 0 else { throw TestFailure(description: "forager replay failed (\(result.status)): \(result.output)") }
    return try JSONDecoder().decode(ReplayJSON.self, from: Data(result.output.utf8))
}
