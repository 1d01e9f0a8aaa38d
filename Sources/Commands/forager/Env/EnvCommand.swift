import Foundation
import Agent
import ArgumentParser
import Environments
import Tasks

struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Make environments (an image and a repository spec) from real Python projects, with no model.",
        subcommands: [EnvBuildCommand.self]
    )
}

struct EnvBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build forager/env-<name>:<version> images and Tasks/repos specs from pypi:NAME[==VERSION], source archives or git repositories."
    )

    @Argument(help: "pypi:NAME[==VERSION], a source archive (.tar.gz, .zip), or a git repository folder.")
    var sources: [String] = []

    @Option(name: .customLong("from"), help: "A file of sources, one a line (# comments).")
    var fromFile: String?

    @Option(help: "Where specs go: a folder (one <name>.json each; default Tasks/repos), or a .json file for one source.")
    var out: String = "Tasks/repos"

    @Option(help: "Work and log folder (one subfolder per source; results there make a rerun resume).")
    var workDir: String = ".forager/env"

    @Option(help: "Environments build at the same time.")
    var workers: Int = 1

    @Option(help: "Fewest tests passing in both baseline runs for an environment to count.")
    var minPassing: Int = 10

    @Option(help: "Seconds one run of the test suite may take.")
    var testTimeout: Double = 900

    @Option(help: "For pypi: sources, the K releases up to VERSION as consecutive commits of /testbed (for `forager forage --mode issue-fix`).")
    var releases: Int = 1

    @Flag(help: "Rebuild sources whose result is already in the work folder.")
    var force = false

    @Flag(help: "Print {built, failed, disk_bytes, seconds, environments: [...]} as JSON.")
    var json = false

    @Flag(help: "When the heuristics leave an installed project whose suite does not run, an agent episode (the --model, --scripted or --endpoint backend) in the half-built container makes it run; its submitted diff and forager-setup.sh are the recipe the environment is built again from, and its trajectory goes to --db.")
    var agent = false

    @OptionGroup(title: "Model (--agent)") var backend: ModelBackendOptions

    @OptionGroup(title: "Episodes (--agent)") var episodeOptions: EpisodeOptions

    @OptionGroup(title: "Sandbox limits (--agent; the network is on, to install)") var sandbox: SandboxOptions

    @Option(help: "The trajectory database of the --agent episodes.")
    var db: String = "forager.db"

    mutating func validate() throws {
        if sources.isEmpty && fromFile == nil { throw ValidationError("give at least one SOURCE or --from FILE") }
        if workers < 1 { throw ValidationError("--workers must be at least 1") }
        if releases < 1 { throw ValidationError("--releases must be at least 1") }
        if minPassing < 1 { throw ValidationError("--min-passing must be at least 1") }
    }

    func run() async throws {
        var list = try sources.map { text throws(EnvBuildError) in try EnvSource.parse(text) }
        if let fromFile { list += try EnvBatch.sources(fromFile: fromFile) }
        let specFile = out.hasSuffix(".json") ? out : nil
        if specFile != nil && list.count > 1 { throw ValidationError("--out FILE.json names one spec; give a folder for several sources") }
        var options = EnvBuildOptions(out: specFile == nil ? out : ".", workDir: workDir, minPassing: minPassing, testTimeout: testTimeout,
                                      workers: workers, force: force)
        options.releases = releases
        let progress = EnvProgress(total: list.count)
        let builder = EnvBuilder(options: options, agent: agent ? try setupAgent() : nil) { source, phase in progress.phase(source, phase) }
        let started = Date()
        let results = await EnvBatch(builder: builder).run(list, specPath: specFile) { result, resumed in progress.done(result, resumed: resumed) }
        progress.finish()
        let disk = await EnvBatch.diskUsed(results)
        let summary = EnvSummary(results: results, diskBytes: disk, seconds: Date().timeIntervalSince(started))
        if json { print(try summary.json()) } else { print(summary.table()) }
        if summary.built == 0 { throw ExitCode(2) }
    }
}

extension EnvBuildCommand {
    /// `--agent`: each request is one recorded episode (source `env-setup:<name>`) whose submitted
    /// recipe is graded by building the environment from it.
    func setupAgent() throws -> EnvSetupAgent {
        var sandbox = self.sandbox
        sandbox.network = true
        let chosen = try backend.makeBackend(episode: episodeOptions.config(backendContextLength: nil, sandbox: sandbox))
        let episodeRun = EpisodeRun(backend: chosen, episodeOptions: episodeOptions, sandbox: sandbox, db: db)
        let db = self.db
        return { request in
            var run = episodeRun
            var row = TaskRow(instanceID: request.instanceID, repo: request.name, image: request.image, repoRoot: "/testbed",
                              testCommand: request.testCommand, logParser: "pytest")
            row.problemStatement = request.instructions
            run.evaluate = { _ in
                { _, recipe in
                    let result = await request.check(recipe)
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    let report = (try? encoder.encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                    let message = result.status == .built
                        ? "The environment builds: \(result.testsPassed) tests pass in both runs."
                        : "The environment does not build: \(result.cause?.rawValue ?? "") \(result.detail ?? "")"
                    return EvaluationResult(passed: result.status == .built, reportJSON: report, message: message)
                }
            }
            let finished = try await run.run([row], runID: nil, samples: 1, workers: 1, tasksFile: "forager env build",
                                             source: "env-setup:\(request.name)")
            return EnvSetupEpisode(runID: finished.report.runID, episodeID: finished.report.episodeIDs.first, db: db)
        }
    }
}
