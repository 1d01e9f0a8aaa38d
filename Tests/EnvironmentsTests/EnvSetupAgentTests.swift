import Foundation
import Testing
import TestSupport
import Trajectories
@testable import Environments

/// `forager env build --agent` with a scripted agent: a project whose tests import a library it
/// never declares fails collection under the heuristics; the agent writes forager-setup.sh
/// (`pip install six`), checks it and submits the diff. The environment is then built again
/// from that recipe in a fresh container, and its trajectory is in the store.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct EnvSetupAgentTests {
    @Test(.timeLimit(.minutes(15)))
    func aScriptedAgentsRecipeBuildsTheEnvironment() async throws {
        try await TestImages.shared.ensure(["base"])
        let dir = try TempDir(prefix: "forager-env-agent-")
        defer { dir.remove() }
        let tests = (1...10).map { "def test_text_\($0)():\n    assert six.ensure_str(b'\($0)') == '\($0)'\n" }.joined(separator: "\n")
        let archive = try EnvBuildDockerTests.archive(dir, "fenv-agent", [
            "setup.py": EnvBuildDockerTests.setupPy("fenv_agent"), "fenv_agent/__init__.py": "VALUE = 1\n",
            "tests/test_six.py": "import six\n\n" + tests,
        ])
        let turns = [
            "The suite does not collect; let me see why.\n<tool: bash>\ncd /testbed && python -m pytest -q tests 2>&1 | tail -3\n</tool>",
            "The tests need six.\n<tool: create>\n/testbed/forager-setup.sh\npip install six\n</tool>",
            "<tool: bash>\ncd /testbed && bash forager-setup.sh > /dev/null && python -m pytest -q tests | tail -1 && git add -A && git diff --cached > /tmp/setup.patch\n</tool>",
            "<tool: submit>\n/tmp/setup.patch\n</tool>",
            "The suite runs once six is installed.",
        ]
        let script = dir.url.appendingPathComponent("agent.jsonl")
        let line = try JSONSerialization.data(withJSONObject: ["instance_id": "env-setup.fenv-agent-1.0", "turns": turns])
        try (line + Data("\n".utf8)).write(to: script)
        let db = dir.path + "/agent.db"
        defer { for tag in ["1.0", "setup-1.0"] { _ = try? EnvBuildDockerTests.docker(["rmi", "forager/env-fenv-agent:\(tag)"]) } }

        // Without --agent the heuristics stop at the collection error.
        let plain = try forager(["env", "build", archive, "--out", dir.path + "/plain", "--work-dir", dir.path + "/work-plain", "--json"])
        #expect(plain.status == 2)
        #expect(plain.output.contains("\"cause\" : \"collection_error\""), "\(plain.output.suffix(2000))")

        let run = try forager(["env", "build", archive, "--agent", "--scripted", script.path, "--model", "tiny", "--db", db,
                               "--out", dir.path + "/repos", "--work-dir", dir.path + "/work", "--json"])
        #expect(run.status == 0, "\(run.output.suffix(3000))")
        let summary = try #require(run.output.range(of: "{\n  \"built\"").map { String(run.output[$0.lowerBound...]) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        let env = try #require((object["environments"] as? [[String: Any]])?.first)
        #expect(env["status"] as? String == "built")
        #expect(env["tests_passed"] as? Int == 10)
        let episodeLabel = try #require(env["agent_episode"] as? String)

        // The spec records the recipe; the image was built from it (no setup script left in the tree, git clean).
        let spec = try JSONDecoder().decode(EnvSpecFile.self, from: try Data(contentsOf: URL(fileURLWithPath: dir.path + "/repos/fenv-agent.json")))
        let setup = try #require(spec.agentSetup)
        #expect(setup.setupScript == "pip install six")
        #expect(setup.recipe.contains("+++ b/forager-setup.sh"))
        #expect("\(setup.runID ?? "")/\(setup.episodeID ?? "")" == episodeLabel)
        let (ok, tree) = try EnvBuildDockerTests.docker(["run", "--rm", "--network", "none", "forager/env-fenv-agent:1.0", "bash", "-c",
                                                        "cd /testbed && ls && git status --porcelain && python -c 'import six; print(\"six ok\")'"])
        #expect(ok)
        #expect(!tree.contains("forager-setup.sh") && tree.contains("six ok"), "\(tree)")

        // The trajectory: the episode of source env-setup:<name>, every turn a step, graded by the build.
        let store = try await TrajectoryStore.open(at: db)
        let recorded = try await store.episode(try #require(setup.episodeID))
        #expect(recorded.episode.source == "env-setup:fenv-agent")
        #expect(recorded.episode.passed == true)
        #expect(recorded.steps.count >= 4)
    }
}
