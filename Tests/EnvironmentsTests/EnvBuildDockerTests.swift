import Foundation
import Testing
import Foraging
import TestSupport
@testable import Environments

/// `forager env build` for real: a small PyPI project whose sdist ships tests, and one small local
/// archive for each failure cause that can be caused on purpose. Images made here are removed.
@Suite(.serialized, .enabled { await dockerTestsEnabled() })
struct EnvBuildDockerTests {
    static func docker(_ arguments: [String]) throws -> (Bool, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["docker"] + arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus == 0, String(decoding: data, as: UTF8.self))
    }

    /// Two releases (`--releases 2`), so the history path is covered too: two commits, the last one 2.3.1.
    @Test func iniconfigFromPyPIBuildsAnEnvironmentForageCanLoad() async throws {
        try await TestImages.shared.ensure(["base"])
        let dir = try TempDir(prefix: "forager-env-")
        defer { dir.remove() }
        var options = EnvBuildOptions(out: dir.path + "/repos", workDir: dir.path + "/work")
        options.releases = 2
        let builder = EnvBuilder(options: options)
        let result = await builder.build(try EnvSource.parse("pypi:iniconfig==2.3.1"))
        defer { _ = try? Self.docker(["rmi", "forager/env-iniconfig:2.3.1-r2"]) }
        #expect(result.status == .built, "\(result.cause?.rawValue ?? "") \(result.detail ?? "") — log \(result.log ?? "")")
        #expect(result.image == "forager/env-iniconfig:2.3.1-r2")
        #expect(result.testsPassed >= 10)
        #expect((result.imageBytes ?? 0) > 0)

        // The spec: forage's loader reads it; the baseline and Python are recorded.
        let specPath = try #require(result.spec)
        let spec = try RepoSpec.load(specPath)
        #expect(spec.image == "forager/env-iniconfig:2.3.1-r2")
        #expect(spec.sourceDirectories == ["src/iniconfig"])
        #expect(try spec.pytestArguments().contains("testing"))
        let written = try JSONDecoder().decode(EnvSpecFile.self, from: try Data(contentsOf: URL(fileURLWithPath: specPath)))
        #expect(written.pythonVersion == "3.11")
        #expect(written.releases == ["2.3.0", "2.3.1"])
        #expect(spec.name == "iniconfig-history")
        #expect(written.baseline.passed.count == result.testsPassed)
        #expect(written.resolvedAsOf?.contains("T") == true)  // the sdist's upload time: pip --uploaded-prior-to

        // The probe saw a source change; /testbed is one clean commit.
        let probe = try String(contentsOfFile: (result.log ?? "") + "/probe.log", encoding: .utf8)
        #expect(probe.trimmingCharacters(in: .whitespacesAndNewlines) == "seen")
        let (ok, status) = try Self.docker(["run", "--rm", "--network", "none", spec.image, "bash", "-c", "cd /testbed && git status --porcelain && git log --format=%s"])
        #expect(ok)
        #expect(status.trimmingCharacters(in: .whitespacesAndNewlines) == "iniconfig 2.3.1 (PyPI sdist)\niniconfig 2.3.0 (PyPI sdist)")
    }

    /// A local source archive `name-1.0.tar.gz` of a setup.py project with `files`.
    static func archive(_ dir: TempDir, _ name: String, _ files: [String: String]) throws -> String {
        let root = dir.url.appendingPathComponent("src/\(name)-1.0")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let out = dir.path + "/\(name)-1.0.tar.gz"
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", out, "-C", dir.path + "/src", "\(name)-1.0"]
        try tar.run()
        tar.waitUntilExit()
        return out
    }

    static func setupPy(_ name: String, extra: String = "") -> String {
        "from setuptools import setup\n\(extra)setup(name='\(name)', version='1.0', packages=['\(name.replacingOccurrences(of: "-", with: "_"))'])\n"
    }

    @Test func eachFailureNamesItsCause() async throws {
        try await TestImages.shared.ensure(["base"])
        let dir = try TempDir(prefix: "forager-env-fail-")
        defer { dir.remove() }
        let passing = (1...3).map { "def test_ok_\($0)():\n    assert True\n" }.joined(separator: "\n")
        let failing = (1...12).map { "def test_bad_\($0)():\n    assert False\n" }.joined(separator: "\n")
        let cases: [(String, [String: String], EnvFailureCause)] = [
            ("fenv-notests", ["setup.py": Self.setupPy("fenv_notests"), "fenv_notests/__init__.py": "x = 1\n"], .noTests),
            ("fenv-newpython", ["pyproject.toml": "[project]\nname = \"fenv-newpython\"\nversion = \"1.0\"\nrequires-python = \">=3.99\"\n",
                                "fenv_newpython/__init__.py": "", "tests/test_a.py": passing], .pythonUnavailable),
            ("fenv-badinstall", ["setup.py": "raise SystemExit('forager test: this project cannot be installed')\n",
                                 "fenv_badinstall/__init__.py": "", "tests/test_a.py": passing], .installFailed),
            ("fenv-cext", ["setup.py": "from setuptools import setup, Extension\nsetup(name='fenv-cext', version='1.0', packages=['fenv_cext'], ext_modules=[Extension('fenv_cext._c', ['fenv_cext/_c.c'])])\n",
                           "fenv_cext/__init__.py": "", "fenv_cext/_c.c": "int forager_test;\n", "tests/test_a.py": passing], .needsSystemLibrary),
            ("fenv-allfail", ["setup.py": Self.setupPy("fenv_allfail"), "fenv_allfail/__init__.py": "", "tests/test_a.py": failing], .allTestsFail),
            ("fenv-few", ["setup.py": Self.setupPy("fenv_few"), "fenv_few/__init__.py": "", "tests/test_a.py": passing], .tooFewPassing),
            ("fenv-collect", ["setup.py": Self.setupPy("fenv_collect"), "fenv_collect/__init__.py": "",
                              "tests/test_a.py": "import fenv_collect.missing_module\n\ndef test_x():\n    pass\n"], .collectionError),
        ]
        let sources = try cases.map { try EnvSource.parse(try Self.archive(dir, $0.0, $0.1)) }
        let builder = EnvBuilder(options: EnvBuildOptions(out: dir.path + "/repos", workDir: dir.path + "/work", testTimeout: 120, workers: 2))
        let results = await EnvBatch(builder: builder).run(sources)
        defer { for (name, _, _) in cases { _ = try? Self.docker(["rmi", "forager/env-\(name):1.0"]) } }
        for ((name, _, cause), result) in zip(cases, results) {
            #expect(result.status == .failed, "\(name)")
            #expect(result.cause == cause, "\(name): \(result.cause?.rawValue ?? "nil") — \(result.detail ?? "")")
            #expect(result.log.map { FileManager.default.fileExists(atPath: $0) } == true, "\(name) keeps its log")
        }
        #expect(results[2].detail?.contains("cannot be installed") == true, "pip's error line: \(results[2].detail ?? "")")
        // Resumable: a second run keeps every result instead of building again.
        let again = await EnvBatch(builder: builder).run(sources)
        #expect(again.map(\.cause) == results.map(\.cause))
        #expect(again.map(\.seconds) == results.map(\.seconds))
    }

    /// A project that needs Python 3.12 or newer gets trixie's 3.13; one whose classifiers stop at
    /// 3.8 gets bullseye's 3.9. Both bases are built from their recipes the first time (debootstrap).
    /// Each suite asserts the Python it runs on, so a build on the wrong one has no passing test,
    /// and has a test whose id is a string hash: both baseline runs must see the same id.
    @Test(.timeLimit(.minutes(20)))
    func newAndOldReleasesGetTheirDebianPython() async throws {
        try await TestImages.shared.ensure(["base"])
        let dir = try TempDir(prefix: "forager-env-py-")
        defer { dir.remove() }
        func suite(_ version: String) -> String {
            (1...10).map { "import sys\n\ndef test_on_\(version.replacingOccurrences(of: ".", with: "_"))_\($0)():\n    assert sys.version_info[:2] == (\(version.replacingOccurrences(of: ".", with: ", ")))\n" }
                .joined(separator: "\n")
                // An id that moves with the hash seed unless the image fixes it (PYTHONHASHSEED=0).
                + "\nimport pytest\n\n@pytest.mark.parametrize('h', [hash('forager') % 100000])\ndef test_hash_id(h):\n    assert h >= 0\n"
        }
        let new = try Self.archive(dir, "fenv-py313", [
            "pyproject.toml": "[project]\nname = \"fenv-py313\"\nversion = \"1.0\"\nrequires-python = \">=3.12\"\n[tool.setuptools]\npackages = [\"fenv_py313\"]\n",
            "fenv_py313/__init__.py": "", "tests/test_version.py": suite("3.13"),
        ])
        let old = try Self.archive(dir, "fenv-py39", [
            // As an sdist ships it: the metadata's classifiers in PKG-INFO.
            "setup.py": Self.setupPy("fenv_py39"),
            "PKG-INFO": "Metadata-Version: 2.1\nName: fenv-py39\nVersion: 1.0\nClassifier: Programming Language :: Python :: 3\nClassifier: Programming Language :: Python :: 3.7\nClassifier: Programming Language :: Python :: 3.8\n\nA test project.\n",
            "fenv_py39/__init__.py": "", "tests/test_version.py": suite("3.9"),
        ])
        let builder = EnvBuilder(options: EnvBuildOptions(out: dir.path + "/repos", workDir: dir.path + "/work", testTimeout: 300, workers: 2))
        let results = await EnvBatch(builder: builder).run([try EnvSource.parse(new), try EnvSource.parse(old)])
        defer { for name in ["fenv-py313", "fenv-py39"] { _ = try? Self.docker(["rmi", "forager/env-\(name):1.0"]) } }
        for (result, python) in zip(results, ["3.13", "3.9"]) {
            #expect(result.status == .built, "\(result.source): \(result.cause?.rawValue ?? "") \(result.detail ?? "") — log \(result.log ?? "")")
            #expect(result.python == python)
            #expect(result.testsPassed == 11)
            let spec = try JSONDecoder().decode(EnvSpecFile.self, from: try Data(contentsOf: URL(fileURLWithPath: try #require(result.spec))))
            #expect(spec.baseline.flaky.isEmpty, "the same test ids in both runs: \(spec.baseline.flaky)")
            #expect(spec.pythonVersion == python)
            #expect(spec.pythonChoice == (python == "3.13" ? "requires-python >=3.12 excludes 3.11" : "no requires-python, classifiers 3.7–3.8: the oldest base allowed"))
        }
    }
}
