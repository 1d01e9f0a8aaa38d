import Foundation

/// The repository spec `forager env build` writes: the fields `forager forage` reads
/// (`Tasks/repos/<name>.json`) and what the build found, the baseline among them.
public struct EnvSpecFile: Sendable, Codable, Equatable {
    public var name: String
    public var image: String
    public var repoRoot: String = "/testbed"
    public var testCommand: String
    public var logParser: String = "pytest"
    public var sourceDirectories: [String]
    public var python: String = "python"
    public var timeout: Double?
    public var pythonVersion: String
    /// Why that Python (`PythonChoice`): what requires-python and the classifiers allowed.
    public var pythonChoice: String?
    public var source: String
    public var version: String
    public var commit: String
    public var installed: [String]
    /// The upload time dependencies were resolved as of (nil: not applied).
    public var resolvedAsOf: String?
    /// The releases committed in order in /testbed (one unless `--releases K`).
    public var releases: [String]
    public var baseline: Baseline
    /// Set when an agent's episode made the suite run (`--agent`): its recipe and where its trajectory is.
    public var agentSetup: AgentSetup?

    public struct AgentSetup: Sendable, Codable, Equatable {
        /// The diff the agent submitted (forager-setup.sh and any change to the tree), as the image was built from it.
        public var recipe: String
        /// The commands of forager-setup.sh, run with the network on after the patch was applied.
        public var setupScript: String?
        public var runID: String?
        public var episodeID: String?
        public var db: String?

        enum CodingKeys: String, CodingKey {
            case recipe, setupScript = "setup_script", runID = "run_id", episodeID = "episode_id", db
        }
    }

    public struct Baseline: Sendable, Codable, Equatable {
        public var passed: [String]
        public var failed: [String]
        /// Tests whose status differed between the two runs: never FAIL_TO_PASS or PASS_TO_PASS.
        public var flaky: [String]
    }

    enum CodingKeys: String, CodingKey {
        case name, image, repoRoot = "repo_root", testCommand = "test_cmd", logParser = "log_parser"
        case sourceDirectories = "source_dirs", python, timeout, pythonVersion = "python_version", pythonChoice = "python_choice", source, version, commit
        case installed, resolvedAsOf = "resolved_as_of", releases, baseline, agentSetup = "agent_setup"
    }

    func write(to url: URL) throws(EnvBuildError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(self) + Data("\n".utf8)).write(to: url, options: .atomic)
        } catch {
            throw .command("writing \(url.path)", "\(error)")
        }
    }
}
