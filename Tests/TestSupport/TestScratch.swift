import Foundation

/// The one directory a test process keeps its scratch files in (task files, databases, logs,
/// registries), removed with everything in it when the process exits (`atexit`), so a run whose
/// tests pass or fail leaves nothing in the system temp directory; a process that crashes or is
/// killed leaves its one directory. A test that wants its files gone sooner still removes them
/// itself (`TempDir`).
public enum TestScratch {
    public static let path: String = {
        let path = NSTemporaryDirectory() + "forager-tests-\(getpid())-" + String(UUID().uuidString.prefix(8))
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestScratch.path) }
        return path
    }()

    public static var url: URL { URL(fileURLWithPath: path, isDirectory: true) }
}
