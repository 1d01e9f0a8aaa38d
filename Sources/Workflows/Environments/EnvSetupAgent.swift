import Foundation

/// `forager env build --agent`: when the heuristics leave a project installed but without a
/// working suite, an agent episode (any model backend, the same tools, recorded like every other)
/// runs in the half-built container with the task of making the suite run. What it submits, the
/// diff of /testbed with a `forager-setup.sh` of the commands it needed, is the recipe: the
/// environment is built again from it (patch applied, script run with the network on, tests run
/// twice with it off), and that build is the episode's grade.
public struct EnvSetupRequest: Sendable {
    /// `env-setup.<name>-<version>`: the episode's instance id.
    public var instanceID: String
    public var name: String
    public var version: String
    /// The half-built image: the install container as it stopped, committed.
    public var image: String
    public var testCommand: String
    /// The task prompt: what failed and what to do.
    public var instructions: String
    /// Builds the environment from a submitted recipe; the result says whether it worked.
    public var check: @Sendable (_ recipe: String) async -> EnvResult
}

/// Where the episode was recorded.
public struct EnvSetupEpisode: Sendable {
    public var runID: String
    public var episodeID: String?
    public var db: String

    public init(runID: String, episodeID: String?, db: String) {
        self.runID = runID
        self.episodeID = episodeID
        self.db = db
    }
}

/// Runs one episode for a request (the CLI drives it through the run coordinator and the store).
public typealias EnvSetupAgent = @Sendable (EnvSetupRequest) async throws -> EnvSetupEpisode

/// One `--agent` attempt at a failed build.
struct EnvSetupAgentRun: Sendable {
    /// The failures an agent can act on: the project is in the container, its suite does not run.
    static let causes: Set<EnvFailureCause> = [.installFailed, .needsSystemLibrary, .collectionError, .allTestsFail, .tooFewPassing, .sourceChangeNotSeen]
    static let setupScript = "forager-setup.sh"

    let builder: EnvBuilder
    let build: EnvBuilder.Build
    let failure: EnvResult
    let agent: EnvSetupAgent

    func run(container: String) async -> EnvResult {
        let source = build.source.description
        builder.phase(source, "agent")
        let halfBuilt = build.imageName(tagPrefix: "setup-")
        do {
            let pythonPath = build.layout?.pythonPath ?? "/testbed"
            try await HostCommand.check("docker", ["commit", "--change", "WORKDIR /testbed", "--change", "CMD [\"/bin/bash\"]",
                                                   "--change", "ENV PYTHONPATH=\(pythonPath)", "--change", "ENV PYTHONHASHSEED=0",
                                                   "--change", "LABEL forager.env-setup=\(build.name)", container, halfBuilt], timeout: .seconds(600))
        } catch {
            return withDetail("; the half-built container could not be kept for the agent: \(error)")
        }
        let checks = CheckResults()
        let request = EnvSetupRequest(
            instanceID: "env-setup.\(EnvBuilder.dockerName(build.name))-\(EnvBuilder.dockerTag(build.version))", name: build.name,
            version: build.version, image: halfBuilt, testCommand: build.layout.map(EnvBuilder.testCommand) ?? "python -m pytest",
            instructions: instructions(), check: { recipe in
                let result = await check(recipe: recipe, image: halfBuilt, number: await checks.next())
                await checks.record(result, recipe: recipe)
                return result
            })
        let episode: EnvSetupEpisode
        do {
            episode = try await agent(request)
        } catch {
            return withDetail("; the agent's episode failed: \(error)")
        }
        let label = "\(episode.runID)/\(episode.episodeID ?? "?")"
        guard let (built, recipe) = await checks.built() else {
            var result = withDetail("; the agent's episode \(label) did not make it build")
            result.agentEpisode = label
            return result
        }
        // The spec names the episode, now that it is known.
        if let path = built.spec, var spec = try? JSONDecoder().decode(EnvSpecFile.self, from: Data(contentsOf: URL(fileURLWithPath: path))) {
            spec.agentSetup = EnvSpecFile.AgentSetup(recipe: recipe, setupScript: Self.script(in: recipe), runID: episode.runID,
                                                     episodeID: episode.episodeID, db: episode.db)
            try? spec.write(to: URL(fileURLWithPath: path))
        }
        try? recipe.write(to: build.folder.appendingPathComponent("agent-recipe.patch"), atomically: true, encoding: .utf8)
        var result = built
        result.agentEpisode = label
        result.seconds = build.elapsed()
        return result
    }

    /// The heuristics' failure, with what became of the agent's attempt.
    private func withDetail(_ more: String) -> EnvResult {
        var result = failure
        result.detail = (result.detail ?? "") + more
        result.seconds = build.elapsed()
        return result
    }

    /// One build from a recipe: a fresh container of the half-built image, the patch applied
    /// (the project's changes committed on top), forager-setup.sh run with the network on and
    /// left out of the tree, then the builder's own commit, probe and baselines.
    private func check(recipe: String, image: String, number: Int) async -> EnvResult {
        guard let context = build.context else { return failure }
        let patchName = "agent-recipe-\(number).patch"
        do {
            try recipe.write(to: context.appendingPathComponent(patchName), atomically: true, encoding: .utf8)
        } catch {
            return build.fail(failure.cause ?? .installFailed, "writing the agent's recipe: \(error)")
        }
        let container = "forager-envsetup-\(UInt32.random(in: 0...UInt32.max))"
        let result = await check(patchName: patchName, image: image, number: number, context: context, container: container)
        _ = try? await HostCommand.run("docker", ["rm", "-f", container], timeout: .seconds(120))
        return result
    }

    private func check(patchName: String, image: String, number: Int, context: URL, container: String) async -> EnvResult {
        let script = [
            "set -u", "cd /testbed",
            "if [ -s /forager-ctx/\(patchName) ]; then git apply --index /forager-ctx/\(patchName) || { echo 'the recipe does not apply to /testbed' > /forager/last-error; exit 12; }; fi",
            "if [ -f \(Self.setupScript) ]; then bash -e \(Self.setupScript) > /forager/agent-setup.log 2>&1 || { tail -5 /forager/agent-setup.log > /forager/last-error; exit 13; };"
                + " git rm -q --cached --ignore-unmatch \(Self.setupScript); rm -f \(Self.setupScript); fi",
            "git diff --cached --quiet || GIT_AUTHOR_NAME=forager GIT_AUTHOR_EMAIL=forager@localhost GIT_COMMITTER_NAME=forager"
                + " GIT_COMMITTER_EMAIL=forager@localhost git commit -q -m 'environment set-up (forager env build --agent)' || exit 14",
            "git rev-parse HEAD > /forager/commit",
            "git checkout -q -- . && git status --porcelain --untracked-files=all | sed -n 's/^?? //p' >> .git/info/exclude",
        ].joined(separator: "\n")
        do {
            let ran = try await HostCommand.run("docker", [
                "run", "--name", container, "--label", "forager.env-build=1",
                "-v", "\(EnvBaseImage.wheelCacheVolume):/root/.cache/pip", "-v", "\(context.path):/forager-ctx:ro",
                image, "bash", "-c", script,
            ], timeout: .seconds(1800))
            try? (ran.stdoutText + ran.stderrText).write(to: build.folder.appendingPathComponent("agent-check-\(number).log"), atomically: true, encoding: .utf8)
            if !ran.succeeded {
                let why = try await builder.readFile(container, "/forager/last-error") ?? "exit \(ran.status)"
                return build.fail(.installFailed, "the agent's recipe failed: \(why.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        } catch {
            return build.fail(.installFailed, "the agent's recipe could not run: \(error)")
        }
        return await builder.finish(build, container: container)
    }

    private func instructions() -> String {
        let command = build.layout.map(EnvBuilder.testCommand) ?? "python -m pytest"
        return """
        The Python project \(build.name) \(build.version) is at /testbed, installed into the virtual environment on PATH \
        (/opt/venv), but its test suite does not run yet. The automatic set-up stopped with \
        `\(failure.cause?.rawValue ?? "a failure")`: \(failure.detail ?? "").

        Make the suite run: from /testbed, `\(command)` must pass at least \(builder.options.minPassing) tests, \
        twice, without network access.

        - Put every command that installs or configures what the tests need (`pip install …`) in \
        /testbed/\(Self.setupScript), one a line, and run it with `bash \(Self.setupScript)` to check. It will run \
        with the network on, after your changes to the tree are applied.
        - Change the project's files only where the tests cannot run otherwise; never delete or weaken tests.
        - When the suite runs, submit the diff of /testbed with the script in it: \
        `git add -A && git diff --cached > /tmp/setup.patch`, then submit /tmp/setup.patch. \
        The environment is built again from that diff in a fresh container, and that build is your result.
        """
    }

    /// The setup script's text, from the diff that creates it.
    static func script(in recipe: String) -> String? {
        guard let start = recipe.range(of: "+++ b/\(setupScript)\n") else { return nil }
        var lines: [Substring] = []
        for line in recipe[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("diff --git ") { break }
            if line.hasPrefix("+") { lines.append(line.dropFirst()) }
        }
        return lines.joined(separator: "\n")
    }
}

/// The recipes checked during one episode, and the last that built.
private actor CheckResults {
    private var count = 0
    private var lastBuilt: (EnvResult, String)?

    func next() -> Int {
        count += 1
        return count
    }

    func record(_ result: EnvResult, recipe: String) {
        if result.status == .built { lastBuilt = (result, recipe) }
    }

    func built() -> (EnvResult, String)? { lastBuilt }
}
