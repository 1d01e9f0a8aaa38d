import Foundation

/// A repository to forage (`Tasks/repos/<name>.json`): the image holding it, where it lives, how
/// its tests run and are parsed, and which source folders may be mutated.
public struct RepoSpec: Sendable, Equatable, Codable {
    public var name: String
    public var image: String
    public var repoRoot: String
    public var testCommand: String
    public var logParser: String
    public var sourceDirectories: [String]
    /// The Python that runs Forager's helper in the image (default `python`, the image's PATH one).
    public var python: String
    /// Seconds one validation run of the tests may take; nil: derived from the reference run.
    public var timeout: Double?
    /// Tests whose status differed between runs of the clean tree (`baseline.flaky`, as `forager env
    /// build` writes it): never FAIL_TO_PASS or PASS_TO_PASS of a foraged task.
    public var flakyTests: Set<String>
    /// Tests that passed in both runs of the environment's baseline (`baseline.passed`); nil when
    /// the spec has none. Only these can be a mutate-fix task's tests: a test whose id changes from
    /// run to run (a time or an address in a parametrize id) is never among them.
    public var baselinePassed: Set<String>?
    /// The file it was read from (for messages; not a field of the file).
    public var file: String

    enum CodingKeys: String, CodingKey {
        case name, image, repoRoot = "repo_root", testCommand = "test_cmd", logParser = "log_parser"
        case sourceDirectories = "source_dirs", python, timeout, baseline
    }

    /// The part of `baseline` a forage reads.
    struct Baseline: Codable, Equatable {
        var passed: [String]?
        var flaky: [String]?
    }

    public init(name: String, image: String, repoRoot: String = "/testbed", testCommand: String, logParser: String = "pytest",
                sourceDirectories: [String], python: String = "python", timeout: Double? = nil, flakyTests: Set<String> = [], baselinePassed: Set<String>? = nil,
                file: String = "<memory>") {
        self.name = name
        self.image = image
        self.repoRoot = repoRoot
        self.testCommand = testCommand
        self.logParser = logParser
        self.sourceDirectories = sourceDirectories
        self.python = python
        self.timeout = timeout
        self.flakyTests = flakyTests
        self.baselinePassed = baselinePassed
        self.file = file
    }

    /// Reads and checks a spec file; every problem names the file and the field.
    public static func load(_ path: String) throws(RepoSpecError) -> RepoSpec {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        do {
            var spec = try JSONDecoder().decode(RepoSpec.self, from: data)
            spec.file = path
            return spec
        } catch let problems as RepoSpecProblems {
            throw .invalid(path, problems.list)
        } catch DecodingError.typeMismatch(_, _) {
            throw .invalid(path, ["the file is not a JSON object"])
        } catch {
            throw .invalid(path, ["the file is not valid JSON (\(error.localizedDescription))"])
        }
    }
    /// The pytest arguments of `test_cmd` (`pytest …`, `python -m pytest …`), for the tracer.
    public func pytestArguments() throws(RepoSpecError) -> [String] {
        switch PytestCommand.arguments(testCommand) {
        case .success(let words): return words
        case .failure(.shellSyntax):
            throw .invalid(file, ["field 'test_cmd' must be a plain pytest command to trace candidates (no quoting or shell syntax): '\(testCommand)'"])
        case .failure(.notPytest):
            throw .invalid(file, ["field 'test_cmd' must start with `pytest` or `python -m pytest` to trace candidates: '\(testCommand)'"])
        }
    }
}

public enum RepoSpecError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, [String])

    public var description: String {
        switch self {
        case .unreadable(let path): return "\(path): cannot read the repository spec"
        case .invalid(let path, let problems): return problems.map { "\(path): \($0)" }.joined(separator: "\n")
        }
    }
}
