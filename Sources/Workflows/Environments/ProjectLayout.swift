import Foundation

/// What the heuristics find in a project's tree, with no model: where the tests and the sources
/// are, how to install the test dependencies (in the order to try), and the pytest plugins the
/// configuration needs.
public struct ProjectLayout: Sendable, Equatable, Codable {
    /// Folders (or files) given to pytest, relative to the root; empty: no tests found.
    public var testPaths: [String]
    /// Importable packages (folder paths relative to the root, e.g. `src/attr`), or single modules (`six.py`).
    public var packages: [String]
    /// The folder that holds the packages (`.` or `src`): what PYTHONPATH names.
    public var sourceRoot: String
    /// Test-dependency installs to try in order until one works (pip argument lists).
    public var installAttempts: [InstallAttempt]
    /// pytest plugins the configuration names (`--cov` → pytest-cov …), installed with pytest.
    public var plugins: [String]
    /// requires-python, from pyproject/setup.cfg/setup.py, else the sdist's PKG-INFO.
    public var requiresPython: String?
    /// Trove classifiers from PKG-INFO, pyproject or setup.cfg (what `PythonChoice` reads for local sources).
    public var classifiers: [String] = []
    /// Which configuration file holds pytest's settings, if any.
    public var pytestConfig: String?
    /// True when the configuration asks for doctests (`--doctest-modules`).
    public var doctests: Bool

    public struct InstallAttempt: Sendable, Equatable, Codable {
        public var label: String
        public var pipArguments: [String]
    }

    /// Names the packages' tests are never searched for among.
    static let notPackages: Set<String> = ["tests", "test", "testing", "docs", "doc", "examples", "example", "benchmarks", "bench", "scripts", "tools", "build", "dist", "ci", "tasks"]

    public static func detect(root: URL) -> ProjectLayout {
        let fm = FileManager.default
        func read(_ name: String) -> String { (try? String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        func isDir(_ path: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &d) && d.boolValue
        }
        func exists(_ path: String) -> Bool { fm.fileExists(atPath: root.appendingPathComponent(path).path) }
        func list(_ path: String) -> [String] { ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(path).path)) ?? []).sorted() }

        /// The values of one header of the sdist's metadata (`Name: value` lines before the description).
        func pkgInfo(_ header: String) -> [String] {
            read("PKG-INFO").split(separator: "\n", omittingEmptySubsequences: false).prefix { !$0.isEmpty }.compactMap { line in
                line.hasPrefix(header + ": ") ? line.dropFirst(header.count + 2).trimmingCharacters(in: .whitespaces) : nil
            }
        }
        let pyproject = read("pyproject.toml"), setupCfg = read("setup.cfg"), toxIni = read("tox.ini"), pytestIni = read("pytest.ini"), setupPy = read("setup.py")

        // Packages: src/<pkg>/__init__.py, else top-level <pkg>/__init__.py, else single modules.
        var sourceRoot = "."
        var packages = list("src").filter { isDir("src/\($0)") && exists("src/\($0)/__init__.py") }.map { "src/\($0)" }
        if !packages.isEmpty {
            sourceRoot = "src"
        } else {
            packages = list(".").filter { !notPackages.contains($0.lowercased()) && !$0.hasPrefix(".") && isDir($0) && exists("\($0)/__init__.py") }
        }
        if packages.isEmpty {
            let modules = list(sourceRoot == "." ? "." : "src").filter {
                $0.hasSuffix(".py") && !["setup.py", "conftest.py", "noxfile.py", "fabfile.py", "tasks.py"].contains($0) && !$0.hasPrefix("test")
            }
            packages = modules
        }

        // pytest configuration: pytest.ini, pyproject's [tool.pytest.ini_options], tox.ini's or setup.cfg's [(tool:)pytest].
        var config: String?, addopts = "", configBody: [String] = []
        if let body = ConfigText.section("pytest", in: pytestIni) { config = "pytest.ini"; configBody = body }
        else if let body = ConfigText.section("tool.pytest.ini_options", in: pyproject) { config = "pyproject.toml"; configBody = body }
        else if let body = ConfigText.section("pytest", in: toxIni) { config = "tox.ini"; configBody = body }
        else if let body = ConfigText.section("tool:pytest", in: setupCfg) { config = "setup.cfg"; configBody = body }
        let bodyText = configBody.joined(separator: "\n")
        if config == "pyproject.toml" {
            addopts = ConfigText.tomlStrings("addopts", inSection: "tool.pytest.ini_options", of: pyproject).joined(separator: " ")
        } else {
            addopts = bodyText.split(separator: "\n").drop { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("addopts") }.prefix { line in
                line.trimmingCharacters(in: .whitespaces).hasPrefix("addopts") || line.first?.isWhitespace == true
            }.joined(separator: " ")
        }

        // Test paths: the configuration's testpaths when they exist, else the usual folders.
        var testPaths: [String] = []
        let declared: [String]
        if config == "pyproject.toml" {
            declared = ConfigText.tomlStrings("testpaths", inSection: "tool.pytest.ini_options", of: pyproject)
        } else {
            declared = (ConfigText.value(of: "testpaths", in: bodyText) ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                + configBody.drop { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("testpaths") }.dropFirst().prefix { $0.first?.isWhitespace == true }
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        testPaths = declared.filter { !$0.contains("*") && exists($0) }
        if testPaths.isEmpty {
            for candidate in ["tests", "test", "testing"] where isDir(candidate) && hasTestFiles(root.appendingPathComponent(candidate)) { testPaths.append(candidate); break }
        }
        if testPaths.isEmpty {
            // tests/test.py and the like: names pytest does not collect by itself, so given explicitly.
            for candidate in ["tests", "test"] where isDir(candidate) {
                testPaths += list(candidate).filter { $0.hasPrefix("test") && $0.hasSuffix(".py") }.map { "\(candidate)/\($0)" }
                if !testPaths.isEmpty { break }
            }
        }
        if testPaths.isEmpty {
            for package in packages where !package.hasSuffix(".py") {
                for sub in ["tests", "test"] where isDir("\(package)/\(sub)") { testPaths.append("\(package)/\(sub)") }
            }
        }
        if testPaths.isEmpty {
            let rootTests = list(".").filter { ($0.hasPrefix("test_") || $0.hasSuffix("_test.py") || $0 == "tests.py" || $0 == "test.py") && $0.hasSuffix(".py") }
            testPaths = rootTests
        }
        if testPaths.isEmpty {
            // Tests anywhere inside a package (pkg/test_x.py).
            for package in packages where !package.hasSuffix(".py") && hasTestFiles(root.appendingPathComponent(package)) { testPaths.append(package) }
        }

        // Test dependencies, in the order to try.
        var attempts: [InstallAttempt] = []
        let extras = Set(ConfigText.keys(ofSection: "project.optional-dependencies", in: pyproject)
            + ConfigText.keys(ofSection: "options.extras_require", in: setupCfg)
            + setupPyExtras(setupPy)
            + ConfigText.keys(ofSection: "tool.poetry.extras", in: pyproject))
        for extra in ["test", "tests", "testing", "dev", "develop"] + extras.sorted().filter({ $0.contains("test") }) where extras.contains(extra) {
            if !attempts.contains(where: { $0.label == "extra [\(extra)]" }) {
                attempts.append(InstallAttempt(label: "extra [\(extra)]", pipArguments: ["-e", ".[\(extra)]"]))
            }
        }
        let groups = Set(ConfigText.keys(ofSection: "dependency-groups", in: pyproject))
        for group in ["test", "tests", "testing", "dev"] where groups.contains(group) {
            attempts.append(InstallAttempt(label: "group \(group)", pipArguments: ["--group", group]))
        }
        let poetryDev = ConfigText.section("tool.poetry.group.test.dependencies", in: pyproject) ?? ConfigText.section("tool.poetry.group.dev.dependencies", in: pyproject) ?? ConfigText.section("tool.poetry.dev-dependencies", in: pyproject)
        if let poetryDev {
            let names = poetryDev.compactMap { line -> String? in
                guard let eq = line.firstIndex(of: "="), line.first?.isWhitespace == false else { return nil }
                let name = ConfigText.unquote(String(line[..<eq]))
                return name == "python" || name.isEmpty ? nil : name
            }
            if !names.isEmpty { attempts.append(InstallAttempt(label: "poetry dev dependencies", pipArguments: names)) }
        }
        var requirementFiles = list(".").filter(isTestRequirements)
        requirementFiles += ["requirements", "requirements.d", "reqs"].flatMap { dir in list(dir).filter { isTestRequirements($0) || $0.hasPrefix("test") }.map { "\(dir)/\($0)" } }
        for file in requirementFiles where file.hasSuffix(".txt") || file.hasSuffix(".in") {
            attempts.append(InstallAttempt(label: "requirements \(file)", pipArguments: ["-r", file]))
        }
        let toxDeps = ConfigText.iniList("deps", inSection: "testenv", of: toxIni).compactMap { dep -> String? in
            let d = dep.replacingOccurrences(of: "{toxinidir}/", with: "").replacingOccurrences(of: "{toxinidir}", with: ".")
            if d.contains("{") || d.hasPrefix("-c") { return nil }
            if let colon = d.range(of: ": "), !d.hasPrefix("-") { return String(d[colon.upperBound...]) }  // factor-conditional deps
            return d
        }
        if !toxDeps.isEmpty {
            attempts.append(InstallAttempt(label: "tox deps", pipArguments: toxDeps.flatMap { $0.hasPrefix("-r") ? ["-r", $0.dropFirst(2).trimmingCharacters(in: .whitespaces)] : [$0] }))
        }

        // Plugins the configuration names.
        let everything = addopts + "\n" + bodyText
        var plugins: [String] = []
        func need(_ plugin: String, _ signs: [String]) { if signs.contains(where: { everything.contains($0) }) && !plugins.contains(plugin) { plugins.append(plugin) } }
        need("pytest-cov", ["--cov"])
        need("pytest-timeout", ["--timeout", "timeout =", "timeout="])
        need("pytest-asyncio", ["asyncio_mode"])
        need("pytest-xdist", ["-n auto", "-n=auto", "-p xdist", "--numprocesses", "--dist"])
        need("pytest-benchmark", ["--benchmark"])
        need("pytest-mock", ["mock_use_standalone_module"])
        need("pytest-randomly", ["-p randomly"])
        need("pytest-rerunfailures", ["--reruns"])
        need("hypothesis", ["--hypothesis"])
        need("pytest-env", ["\nenv =", "\nenv=", "env = ["])
        need("pytest-mypy-plugins", ["mypy-testing"])
        need("pytest-doctestplus", ["--doctest-plus", "doctest_plus"])

        let requiresPython = ConfigText.tomlStrings("requires-python", inSection: "project", of: pyproject).first
            ?? ConfigText.value(of: "python_requires", in: setupCfg)
            ?? setupPyValue("python_requires", setupPy)
            ?? pkgInfo("Requires-Python").first
        let pkgClassifiers = pkgInfo("Classifier")
        let classifiers = !pkgClassifiers.isEmpty ? pkgClassifiers
            : !ConfigText.tomlStrings("classifiers", inSection: "project", of: pyproject).isEmpty
            ? ConfigText.tomlStrings("classifiers", inSection: "project", of: pyproject)
            : ConfigText.iniList("classifiers", inSection: "metadata", of: setupCfg)

        return ProjectLayout(testPaths: testPaths, packages: packages, sourceRoot: sourceRoot, installAttempts: attempts, plugins: plugins,
                             requiresPython: requiresPython, classifiers: classifiers, pytestConfig: config, doctests: everything.contains("--doctest-modules"))
    }

    /// What the image's PYTHONPATH names: the folder in /testbed that holds the packages.
    public var pythonPath: String { sourceRoot == "." ? "/testbed" : "/testbed/\(sourceRoot)" }

    /// The folders `forager forage` may mutate: the packages (a single module's folder, the root, otherwise).
    public var sourceDirectories: [String] {
        let dirs = packages.filter { !$0.hasSuffix(".py") }
        return dirs.isEmpty ? [sourceRoot] : dirs
    }

    /// The import name of the first package or module (what the source-change probe imports).
    public var probeModule: (name: String, file: String)? {
        guard let first = packages.first else { return nil }
        let base = (first as NSString).lastPathComponent
        if first.hasSuffix(".py") { return (String(base.dropLast(3)), first) }
        return (base, "\(first)/__init__.py")
    }

    static func isTestRequirements(_ name: String) -> Bool {
        let n = name.lowercased()
        guard n.hasSuffix(".txt") || n.hasSuffix(".in"), n.contains("req") || n.hasPrefix("test") || n.hasPrefix("dev") else { return false }
        return n.contains("test") || n.contains("-dev") || n.contains("_dev") || n.hasPrefix("dev")
    }

    static func hasTestFiles(_ folder: URL) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return false }
        for case let path as String in walker {
            let name = (path as NSString).lastPathComponent
            if name.hasSuffix(".py") && (name.hasPrefix("test_") || name.hasSuffix("_test.py") || name == "tests.py") { return true }
        }
        return false
    }

    /// Keys of `extras_require={...}` in setup.py (a dict literal), read as quoted keys before a colon.
    static func setupPyExtras(_ text: String) -> [String] {
        guard let start = text.range(of: "extras_require") else { return [] }
        let tail = text[start.upperBound...].prefix(3000)
        var keys: [String] = []
        let pattern = try? NSRegularExpression(pattern: #"["']([A-Za-z0-9_.-]+)["']\s*:"#)
        let s = String(tail)
        for m in pattern?.matches(in: s, range: NSRange(s.startIndex..., in: s)) ?? [] {
            if let r = Range(m.range(at: 1), in: s) { keys.append(String(s[r])) }
        }
        return keys
    }

    static func setupPyValue(_ key: String, _ text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: key + #"\s*=\s*["']([^"']+)["']"#),
              let m = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), let r = Range(m.range(at: 1), in: text) else { return nil }
        return String(text[r])
    }
}
