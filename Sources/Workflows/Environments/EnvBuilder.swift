import Foundation

/// Builds one environment: fetch, detect, install in a container of the shared base (with the
/// shared wheel cache), commit it as `forager/env-<name>:<version>`, probe that a source change
/// is seen, run the suite twice with the network off, and write the spec.
public struct EnvBuilder: Sendable {
    public var options: EnvBuildOptions
    /// Called with short phase names ("fetch", "install", "baseline 1"…) for the live progress line.
    public var phase: @Sendable (String, String) -> Void
    /// `--agent`: an episode that makes the suite run when the heuristics could not (nil: none).
    public var agent: EnvSetupAgent?

    public init(options: EnvBuildOptions, agent: EnvSetupAgent? = nil, phase: @escaping @Sendable (String, String) -> Void = { _, _ in }) {
        self.options = options
        self.agent = agent
        self.phase = phase
    }

    /// The folder of a source's work files and logs.
    public func workFolder(for source: EnvSource) -> URL {
        let slug = source.description.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" }
        return URL(fileURLWithPath: options.workDir).appendingPathComponent(String(slug.suffix(80)) + (options.releases > 1 ? "_r\(options.releases)" : ""))
    }

    public func build(_ source: EnvSource, specPath: String? = nil) async -> EnvResult {
        let container = "forager-envbuild-\(UInt32.random(in: 0...UInt32.max))"
        var build = Build(source: source, folder: workFolder(for: source), specPath: specPath)
        var result = await steps(&build, container: container)
        if result.status == .failed, let agent, let cause = result.cause, EnvSetupAgentRun.causes.contains(cause), build.installed != nil {
            result = await EnvSetupAgentRun(builder: self, build: build, failure: result, agent: agent).run(container: container)
        }
        _ = try? await HostCommand.run("docker", ["rm", "-f", container], timeout: .seconds(120))
        return result
    }

    /// What one build knows as it goes: the steps fill it in, the agent's re-builds reuse it.
    struct Build: Sendable {
        var source: EnvSource
        var folder: URL
        var specPath: String?
        var started = Date()
        var name = "", version = "", history = "", image = ""
        var releases: [String] = []
        var layout: ProjectLayout?
        var choice: PythonChoice.Choice?
        /// The build context mounted at /forager-ctx (the tree, the install script, the agent's recipes).
        var context: URL?
        /// Set once the install ran (whether or not it worked): there is a container to start from.
        var installed: Bool?

        func elapsed() -> Double { Date().timeIntervalSince(started) }

        /// `forager/env-<name>:<prefix><version>[-rK]` (the half-built image of `--agent` has prefix `setup-`).
        func imageName(tagPrefix: String = "") -> String {
            "forager/env-\(EnvBuilder.dockerName(name)):\(EnvBuilder.dockerTag(tagPrefix + version + history))"
        }

        func fail(_ cause: EnvFailureCause, _ detail: String, image: String? = nil, passed: Int = 0, failed: Int = 0) -> EnvResult {
            EnvResult.failure(source.description, cause, detail, seconds: elapsed(), log: folder.path, python: choice?.version,
                              image: image, passed: passed, failed: failed)
        }
    }

    /// Fetch, layout, Python, install; then `finish`.
    private func steps(_ build: inout Build, container: String) async -> EnvResult {
        let source = build.source, folder = build.folder
        do {
            try SourceFetcher.makeDirectory(folder)
            phase(source.description, "fetch")
            let fetched: FetchedSource
            do { fetched = try await SourceFetcher.fetch(source, into: folder, releases: options.releases) } catch { return build.fail(.fetchFailed, error.description) }

            let layout = ProjectLayout.detect(root: fetched.tree)
            build.layout = layout
            write(layout, to: folder.appendingPathComponent("layout.json"))
            if layout.testPaths.isEmpty { return build.fail(.noTests, "no tests/, test/, <package>/tests or test_*.py in the source") }
            guard let choice = PythonChoice.choice(requiresPython: fetched.requiresPython ?? layout.requiresPython,
                                                   classifiers: fetched.classifiers.isEmpty ? layout.classifiers : fetched.classifiers) else {
                return build.fail(.pythonUnavailable, "requires-python '\(fetched.requiresPython ?? layout.requiresPython ?? "")' / classifiers exclude every available Python (\(PythonChoice.available.joined(separator: ", ")))")
            }
            build.choice = choice
            let python = choice.version

            // The build context: the tree and the install script, mounted read-only in the container.
            let context = folder.appendingPathComponent("context")
            build.context = context
            try? FileManager.default.removeItem(at: context)
            try SourceFetcher.makeDirectory(context)
            do {
                try FileManager.default.moveItem(at: fetched.tree, to: context.appendingPathComponent("testbed"))
                if !fetched.earlier.isEmpty { try FileManager.default.createDirectory(at: context.appendingPathComponent("releases"), withIntermediateDirectories: true) }
                for (i, earlier) in fetched.earlier.enumerated() {
                    try FileManager.default.moveItem(at: earlier.tree, to: context.appendingPathComponent("releases/\(i)"))
                }
                let script = InstallScript.make(layout: layout, message: "\(fetched.name) \(fetched.version) (PyPI sdist)", uploadTime: fetched.uploadTime,
                                                history: fetched.earlier.map { "\(fetched.name) \($0.version) (PyPI sdist)" })
                try script.write(to: context.appendingPathComponent("install.sh"), atomically: true, encoding: .utf8)
            } catch { return build.fail(.fetchFailed, "preparing \(context.path): \(error)") }

            phase(source.description, "base image")
            let base = try await EnvBaseImage.ensure(python: python, workDir: URL(fileURLWithPath: options.workDir))
            // With history the image and spec are apart from the single release's: `<version>-rK`, `<name>-history.json`.
            build.history = fetched.earlier.isEmpty ? "" : "-r\(fetched.earlier.count + 1)"
            build.name = fetched.name
            build.version = fetched.version
            build.releases = fetched.earlier.map(\.version) + [fetched.version]
            build.image = build.imageName()

            phase(source.description, "install")
            let install = try await HostCommand.run("docker", [
                "run", "--name", container, "--label", "forager.env-build=1",
                "-v", "\(EnvBaseImage.wheelCacheVolume):/root/.cache/pip", "-v", "\(context.path):/forager-ctx:ro",
                base, "bash", "/forager-ctx/install.sh",
            ], timeout: .seconds(1800))
            build.installed = install.succeeded
            let installLog = install.stdoutText + install.stderrText
            try? installLog.write(to: folder.appendingPathComponent("install.log"), atomically: true, encoding: .utf8)
            if !install.succeeded {
                let line = try await readFile(container, "/forager/last-error")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? BaselineRun.firstLine(of: installLog, matching: ["ERROR", "error:"]) ?? "exit \(install.status)"
                if install.timedOut { return build.fail(.timeout, "installing took longer than 30 minutes") }
                if let missing = BaselineRun.firstLine(of: installLog, matching: Self.systemNeeds) {
                    return build.fail(.needsSystemLibrary, "\(missing) (\(line))")
                }
                return build.fail(.installFailed, line)
            }
            return await finish(build, container: container)
        } catch {
            return build.fail(.installFailed, error.description)
        }
    }

    /// From an installed container: commit it as the image, probe that a source change is seen,
    /// run the suite twice with the network off, write the spec. `agentSetup` records the recipe
    /// an agent's episode made (`--agent`).
    func finish(_ build: Build, container: String, agentSetup: EnvSpecFile.AgentSetup? = nil) async -> EnvResult {
        guard let layout = build.layout, let choice = build.choice else { return build.fail(.installFailed, "nothing was installed") }
        let source = build.source, folder = build.folder, image = build.image, python = choice.version
        func fail(_ cause: EnvFailureCause, _ detail: String, passed: Int = 0, failed: Int = 0) -> EnvResult {
            build.fail(cause, detail, image: image, passed: passed, failed: failed)
        }
        do {
            let commit = (try await readFile(container, "/forager/commit") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let installed = (try await readFile(container, "/forager/installed") ?? "").split(separator: "\n").map(String.init)
            let asOf = try await readFile(container, "/forager/resolved-as-of")?.trimmingCharacters(in: .whitespacesAndNewlines)
            try await HostCommand.check("docker", [
                "commit", "--change", "WORKDIR /testbed", "--change", "ENV PYTHONPATH=\(layout.pythonPath)",
                // A fixed hash seed: test ids built from sets or dicts (parametrize) and test order stay the same run
                // to run, or the baseline calls them flaky and FAIL_TO_PASS names tests a later run never has.
                "--change", "ENV PYTHONHASHSEED=0",
                "--change", "LABEL forager.env=\(build.name)", "--change", "CMD [\"/bin/bash\"]", container, image,
            ], timeout: .seconds(600))

            phase(source.description, "probe")
            if let probe = layout.probeModule {
                let check = "cd /testbed && printf '\\n__forager_probe__ = \"seen\"\\n' >> \(InstallScript.quote(probe.file)) && cd / && python -c \(InstallScript.quote("import \(probe.name) as m; print(getattr(m, '__forager_probe__', 'unseen'))"))"
                let result = try await HostCommand.run("docker", ["run", "--rm", "--network", "none", image, "bash", "-c", check], timeout: .seconds(120))
                let said = result.stdoutText + result.stderrText
                try? said.write(to: folder.appendingPathComponent("probe.log"), atomically: true, encoding: .utf8)
                if !said.contains("seen") || said.contains("unseen") {
                    return fail(.sourceChangeNotSeen, "importing \(probe.name) after changing \(probe.file): \(said.split(separator: "\n").last.map(String.init) ?? "no output")")
                }
            }

            var command = Self.testCommand(layout)
            phase(source.description, "baseline 1")
            var first = try await BaselineRun.run(image: image, command: command, timeout: options.testTimeout, name: container + "-t1")
            if first.collectionError && first.passed.count < options.minPassing {
                // Some test modules fail to import: the others may still make a baseline.
                command += " --continue-on-collection-errors"
                first = try await BaselineRun.run(image: image, command: command, timeout: options.testTimeout, name: container + "-t1b")
            }
            try? first.log.write(to: folder.appendingPathComponent("baseline-1.log"), atomically: true, encoding: .utf8)
            if let (cause, detail) = first.failure(minPassing: options.minPassing) {
                return fail(cause, detail, passed: first.passed.count, failed: first.failed.count)
            }
            phase(source.description, "baseline 2")
            let second = try await BaselineRun.run(image: image, command: command, timeout: options.testTimeout, name: container + "-t2")
            try? second.log.write(to: folder.appendingPathComponent("baseline-2.log"), atomically: true, encoding: .utf8)
            let names = Set(first.statuses.keys).union(second.statuses.keys)
            let flaky = names.filter { first.statuses[$0] != second.statuses[$0] }
            let passed = first.passed.intersection(second.passed).subtracting(flaky)
            let failed = first.failed.intersection(second.failed).subtracting(flaky)
            if passed.count < options.minPassing {
                return fail(.tooFewPassing, "\(passed.count) passed in both runs (\(flaky.count) flaky), fewer than \(options.minPassing)", passed: passed.count, failed: failed.count)
            }

            let history = build.history
            var spec = EnvSpecFile(name: build.name + (history.isEmpty ? "" : "-history"), image: image, testCommand: command, sourceDirectories: layout.sourceDirectories,
                                   timeout: nil, pythonVersion: python, pythonChoice: choice.reason, source: source.description, version: build.version, commit: commit,
                                   installed: installed, resolvedAsOf: asOf?.isEmpty == false ? asOf : nil, releases: build.releases,
                                   baseline: .init(passed: passed.sorted(), failed: failed.sorted(), flaky: flaky.sorted()))
            spec.agentSetup = agentSetup
            let specURL = URL(fileURLWithPath: build.specPath ?? (options.out as NSString).appendingPathComponent("\(Self.dockerName(build.name))\(history.isEmpty ? "" : "-history").json"))
            try spec.write(to: specURL)
            let size = Int64(try await HostCommand.check("docker", ["image", "inspect", "-f", "{{.Size}}", image]).trimmingCharacters(in: .whitespacesAndNewlines))
            return EnvResult(source: source.description, image: image, spec: specURL.path, status: .built, cause: nil, detail: nil,
                             testsPassed: passed.count, testsFailed: failed.count, flaky: flaky.count, seconds: build.elapsed(),
                             imageBytes: size, python: python, log: folder.path)
        } catch {
            return fail(.installFailed, error.description)
        }
    }

    /// The suite's command: every test path, colour off whatever `addopts` says (for the log parser).
    /// `python -m pytest` puts /testbed on sys.path, as a checkout's own `python -m pytest` would:
    /// suites that import helpers as `from tests import …` without a tests/__init__.py need it.
    static func testCommand(_ layout: ProjectLayout) -> String {
        "python -m pytest -rA -p no:cacheprovider --color=no " + layout.testPaths.joined(separator: " ")
    }

    /// What a build log says when a compiler, headers or a system tool is missing (the base has none).
    static let systemNeeds = [
        "error: command 'gcc' failed", "error: command 'cc' failed", "unable to execute 'gcc'", "gcc: not found", "cc: not found",
        "fatal error: Python.h", ".h: No such file or directory", "pkg-config", "Could not find cargo", "can't find Rust compiler",
        "CMake must be installed", "cmake: not found", "x86_64-linux-gnu-gcc", "Unknown compiler(s)",
    ]

    func readFile(_ container: String, _ path: String) async throws(EnvBuildError) -> String? {
        let result = try await HostCommand.run("docker", ["cp", "\(container):\(path)", "-"], timeout: .seconds(60))
        guard result.succeeded else { return nil }
        // `docker cp … -` writes a tar stream: one member, a 512-byte header then the contents.
        let data = result.stdout
        guard data.count > 512 else { return nil }
        let header = data.prefix(512)
        let sizeField = String(decoding: header[header.startIndex + 124 ..< header.startIndex + 136], as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: "\0 "))
        guard let size = Int(sizeField, radix: 8), data.count >= 512 + size else { return nil }
        let text = String(decoding: data[data.startIndex + 512 ..< data.startIndex + 512 + size], as: UTF8.self)
        return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }

    private func write(_ layout: ProjectLayout, to url: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? encoder.encode(layout).write(to: url)
    }

    /// A docker repository name part: lower case, `[a-z0-9._-]`.
    static func dockerName(_ name: String) -> String {
        String(name.lowercased().map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" })
    }

    /// A docker tag: `[A-Za-z0-9_.-]`, at most 128 characters.
    static func dockerTag(_ version: String) -> String {
        String(version.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" ? $0 : "_" }.prefix(128))
    }
}
