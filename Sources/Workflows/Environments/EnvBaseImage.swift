import Foundation

/// The base every environment of one Python shares: `forager/base:<debian>` plus a venv at
/// `/opt/venv` with current pip (for the time machine) and pytest. Built once; environments add
/// one layer each on top, and their pip downloads share one cache volume.
enum EnvBaseImage {
    static let wheelCacheVolume = "forager-env-pip-cache"

    static func tag(python: String) -> String { "forager/env-base:py\(python)" }

    static func debianBase(python: String) -> String? {
        ["3.11": "forager/base:bookworm"][python]
    }

    static func ensure(python: String, workDir: URL) async throws(EnvBuildError) -> String {
        let tag = tag(python: python)
        if try await HostCommand.run("docker", ["image", "inspect", tag]).succeeded { return tag }
        guard let base = debianBase(python: python) else { throw .command("base image for Python \(python)", "no Debian base gives it") }
        guard try await HostCommand.run("docker", ["image", "inspect", base]).succeeded else {
            throw .command("base image \(base)", "missing; build it with Scripts/setup (or `forager images build base`)")
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
