import Foundation
import ArgumentParser
import Environments

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
        let builder = EnvBuilder(options: options) { source, phase in progress.phase(source, phase) }
        let started = Date()
        let results = await EnvBatch(builder: builder).run(list, specPath: specFile) { result, resumed in progress.done(result, resumed: resumed) }
        progress.finish()
        let disk = await EnvBatch.diskUsed(results)
        let summary = EnvSummary(results: results, diskBytes: disk, seconds: Date().timeIntervalSince(started))
        if json { print(try summary.json()) } else { print(summary.table()) }
        if summary.built == 0 { throw ExitCode(2) }
    }
}
