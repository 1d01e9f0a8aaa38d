import DockerEngine
import Foundation
import ImageRecipes

/// The base every environment of one Python shares: `forager/base:<debian>` plus a venv at
/// `/opt/venv` with current pip (for the time machine) and pytest. Built once; environments add
/// one layer each on top, and their pip downloads share one cache volume.
enum EnvBaseImage {
    static let wheelCacheVolume = "forager-env-pip-cache"

    static func tag(python: String) -> String { "forager/env-base:py\(python)" }

    /// The Debian base of each Python in `PythonChoice.available`, and the `Images/` recipe that makes it.
    static let debianBases: [String: (image: String, recipe: String)] = [
        "3.9": ("forager/base:bullseye", "base-bullseye"),
        "3.11": ("forager/base:bookworm", "base"),
        "3.13": ("forager/base:trixie", "base-trixie"),
    ]

    static func ensure(python: String, workDir: URL) async throws(EnvBuildError) -> String {
        try await BaseImageBuilds.shared.once(python) { () async throws(EnvBuildError) -> String in
            try await build(python: python, workDir: workDir)
        }
    }

    private static func build(python: String, workDir: URL) async throws(EnvBuildError) -> String {
        let tag = tag(python: python)
        if try await HostCommand.run("docker", ["image", "inspect", tag]).succeeded { return tag }
        guard let (base, recipe) = debianBases[python] else { throw .command("base image for Python \(python)", "no Debian base gives it") }
        if try await !HostCommand.run("docker", ["image", "inspect", base]).succeeded {
            try await buildDebianBase(recipe: recipe, image: base)
        }
        let dir = workDir.appendingPathComponent("env-base-\(python)")
        try SourceFetcher.makeDirectory(dir)
        let dockerfile = """
        FROM \(base)
        ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \\
            PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off PIP_ROOT_USER_ACTION=ignore
        COPY commit-testbed /usr/local/bin/commit-testbed
        RUN python3 -m venv /opt/venv && pip install --no-cache-dir --upgrade pip setuptools wheel \\
         && pip install --no-cache-dir pytest && pytest --version
        LABEL forager.env-base="\(python)"

        """
        do {
            try dockerfile.write(to: dir.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
            try commitTestbed.write(to: dir.appendingPathComponent("commit-testbed"), atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent("commit-testbed").path)
        } catch { throw .command("writing \(dir.path)", "\(error)") }
        try await HostCommand.check("docker", ["build", "-q", "-t", tag, dir.path], timeout: .seconds(900))
        return tag
    }

    /// A Debian base other than bookworm's is built the first time an environment needs it
    /// (debootstrap, about two minutes), from its `Images/` recipe.
    private static func buildDebianBase(recipe name: String, image: String) async throws(EnvBuildError) {
        do {
            guard let directory = RecipeCatalog.locateImagesDirectory() else {
                throw EnvBuildError.command("base image \(image)", "missing, and no Images/ folder to build it from (run in the project, or set FORAGER_ROOT)")
            }
            let recipe = try RecipeCatalog(directory: directory).recipe(named: name)
            _ = try await ImageBuilder(client: try await DockerClient.connect()).build(recipe) { _ in }
        } catch let error as EnvBuildError {
            throw error
        } catch {
            throw .command("base image \(image)", "building it from Images/\(name) failed: \(error); try `forager images build \(name)`")
        }
    }

    /// The same reproducible commit as Images/python-pytest/commit-testbed (fixed names and dates).
    static let commitTestbed = """
    #!/bin/sh
    set -e
    git init -q
    git add -A --force
    GIT_AUTHOR_NAME=forager GIT_AUTHOR_EMAIL=forager@localhost \\
    GIT_COMMITTER_NAME=forager GIT_COMMITTER_EMAIL=forager@localhost \\
    GIT_AUTHOR_DATE="2024-05-01T12:00:00+00:00" GIT_COMMITTER_DATE="2024-05-01T12:00:00+00:00" \\
      git commit -q -m "$1"
    git rev-parse HEAD

    """
}

/// One build of each Python's base at a time: workers that need the same base wait for the first.
actor BaseImageBuilds {
    static let shared = BaseImageBuilds()
    private var running: [String: Task<String, any Error>] = [:]

    func once(_ python: String, _ build: @escaping @Sendable () async throws(EnvBuildError) -> String) async throws(EnvBuildError) -> String {
        let task = running[python] ?? Task { try await build() }
        running[python] = task
        do {
            return try await task.value
        } catch {
            running[python] = nil  // a failed build is tried again by the next one that needs it
            throw error as? EnvBuildError ?? .command("base image for Python \(python)", "\(error)")
        }
    }
}
