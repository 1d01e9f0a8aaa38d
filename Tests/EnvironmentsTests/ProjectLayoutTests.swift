import Foundation
import TestSupport
import Testing
@testable import Environments

/// The heuristics on real sdists' configuration files and layouts (Fixtures/).
@Suite struct ProjectLayoutTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    }

    @Test func toolzTestsInsideThePackageFromTestpathsAndItsDependencyGroup() throws {
        let layout = ProjectLayout.detect(root: try Self.fixture("toolz-1.2.0"))
        #expect(layout.testPaths == ["toolz"])
        #expect(layout.packages == ["tlz", "toolz"])
        #expect(layout.sourceRoot == ".")
        #expect(layout.pytestConfig == "pyproject.toml")
        #expect(layout.installAttempts.map(\.label) == ["group test"])
        #expect(layout.requiresPython == ">=3.9")
        #expect(layout.probeModule?.file == "tlz/__init__.py")
    }

    @Test func attrsSrcLayoutDependencyGroupsBeforeDev() throws {
        let layout = ProjectLayout.detect(root: try Self.fixture("attrs-sdist"))
        #expect(layout.sourceRoot == "src")
        #expect(layout.packages == ["src/attr", "src/attrs"])
        #expect(layout.sourceDirectories == ["src/attr", "src/attrs"])
        #expect(layout.testPaths == ["tests"])
        #expect(layout.installAttempts.map(\.pipArguments).first == ["--group", "tests"])
        #expect(layout.requiresPython == ">=3.9")
    }

    @Test func iniconfigTestingFolderAndSrcLayout() throws {
        let layout = ProjectLayout.detect(root: try Self.fixture("iniconfig-2.3.1"))
        #expect(layout.testPaths == ["testing"])
        #expect(layout.packages == ["src/iniconfig"])
        #expect(layout.probeModule?.name == "iniconfig")
    }

    @Test func sixSingleModuleWithRootTestFileAndSetupCfgConfig() throws {
        let layout = ProjectLayout.detect(root: try Self.fixture("six-1.17.0"))
        #expect(layout.testPaths == ["test_six.py"])
        #expect(layout.packages == ["six.py"])
        #expect(layout.sourceDirectories == ["."])
        #expect(layout.probeModule?.name == "six")
        #expect(layout.pytestConfig == "setup.cfg")
        #expect(PythonChoice.choose(requiresPython: layout.requiresPython, classifiers: []) == "3.11")
    }

    @Test func requiresPythonSpecifiers() {
        #expect(PythonChoice.satisfies("3.11", ">=3.8"))
        #expect(PythonChoice.satisfies("3.11", ">=2.7, !=3.0.*, !=3.1.*"))
        #expect(!PythonChoice.satisfies("3.11", ">=3.12"))
        #expect(!PythonChoice.satisfies("3.11", "<3.11"))
        #expect(PythonChoice.satisfies("3.11", "~=3.9"))
        #expect(!PythonChoice.satisfies("3.11", "==3.10.*"))
    }

    @Test func thePythonIs311UnlessTheProjectRulesItOut() {
        func py(_ versions: String...) -> [String] { versions.map { "Programming Language :: Python :: \($0)" } + ["Programming Language :: Python :: 3"] }
        #expect(PythonChoice.choose(requiresPython: nil, classifiers: []) == "3.11")
        #expect(PythonChoice.choose(requiresPython: ">=3.8", classifiers: py("3.8", "3.9", "3.10", "3.11", "3.12")) == "3.11")
        // Current releases that need a newer Python get trixie's 3.13.
        #expect(PythonChoice.choose(requiresPython: ">=3.12", classifiers: []) == "3.13")
        #expect(PythonChoice.choose(requiresPython: nil, classifiers: py("3.12", "3.13", "3.14")) == "3.13")
        #expect(PythonChoice.choose(requiresPython: ">=3.13", classifiers: py("3.13")) == "3.13")
        // Old releases whose classifiers stop before 3.11 get bullseye's 3.9, the newest not newer than they name.
        #expect(PythonChoice.choose(requiresPython: ">=3.6", classifiers: py("3.6", "3.7", "3.8", "3.9", "3.10")) == "3.9")
        #expect(PythonChoice.choose(requiresPython: nil, classifiers: py("3.8")) == "3.9")
        #expect(PythonChoice.choose(requiresPython: "<3.10", classifiers: []) == "3.9")
        #expect(PythonChoice.choice(requiresPython: ">=3.12", classifiers: [])?.reason == "requires-python >=3.12 excludes 3.11")
        // Nothing Debian gives fits: the build fails with python_unavailable.
        #expect(PythonChoice.choose(requiresPython: ">=3.14", classifiers: []) == nil)
        #expect(PythonChoice.choose(requiresPython: "==3.10.*", classifiers: []) == nil)
    }

    @Test func pluginsTheConfigurationNames() throws {
        let dir = TestScratch.url.appendingPathComponent("forager-env-plugins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("pkg/tests"), withIntermediateDirectories: true)
        try Data().write(to: dir.appendingPathComponent("pkg/__init__.py"))
        try Data().write(to: dir.appendingPathComponent("pkg/tests/test_a.py"))
        // The [tool:pytest] section of a real setup.cfg (python-dateutil-like options) and a tox.ini's deps.
        try "[tool:pytest]\naddopts = --cov=pkg --timeout=30 -n auto\nasyncio_mode = auto\n\n[options.extras_require]\ntesting =\n    pytest\n"
            .write(to: dir.appendingPathComponent("setup.cfg"), atomically: true, encoding: .utf8)
        try "[testenv]\ndeps =\n    -r{toxinidir}/requirements-test.txt\n    freezegun\ncommands = pytest\n".write(to: dir.appendingPathComponent("tox.ini"), atomically: true, encoding: .utf8)
        try "hypothesis\n".write(to: dir.appendingPathComponent("requirements-test.txt"), atomically: true, encoding: .utf8)
        let layout = ProjectLayout.detect(root: dir)
        #expect(layout.plugins == ["pytest-cov", "pytest-timeout", "pytest-asyncio", "pytest-xdist"])
        #expect(layout.testPaths == ["pkg/tests"])
        #expect(layout.installAttempts.map(\.label) == ["extra [testing]", "requirements requirements-test.txt", "tox deps"])
        #expect(layout.installAttempts.last?.pipArguments == ["-r", "requirements-test.txt", "freezegun"])
    }

    @Test func sourcesParse() throws {
        #expect(try EnvSource.parse("pypi:toolz==1.0.0") == .pypi(name: "toolz", version: "1.0.0"))
        #expect(try EnvSource.parse("pypi:more-itertools") == .pypi(name: "more-itertools", version: nil))
        #expect(throws: EnvBuildError.self) { try EnvSource.parse("pypi:") }
        #expect(throws: EnvBuildError.self) { try EnvSource.parse("/no/such/archive.tar.gz") }
    }
}
