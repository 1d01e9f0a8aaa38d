import Foundation

/// The settings of `forager env build`.
public struct EnvBuildOptions: Sendable {
    /// Where specs go: a folder (`Tasks/repos`, one `<name>.json` each) or, for one source, a file.
    public var out: String
    /// Work and log folders, one per source (kept, failures too); results there make a batch resumable.
    public var workDir: String
    public var minPassing: Int
    public var testTimeout: Double
    public var workers: Int
    /// Rebuild sources whose result is already in the work folder.
    public var force: Bool
    /// `--releases K`: the K PyPI releases up to the version, as consecutive commits of /testbed.
    public var releases: Int = 1

    public init(out: String = "Tasks/repos", workDir: String = ".forager/env", minPassing: Int = 10, testTimeout: Double = 900,
                workers: Int = 1, force: Bool = false) {
        self.out = out
        self.workDir = workDir
        self.minPassing = minPassing
        self.testTimeout = testTimeout
        self.workers = workers
        self.force = force
    }
}
