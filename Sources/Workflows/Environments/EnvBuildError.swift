import Foundation

/// Why `forager env build` could not even start on a source (a bad argument, the engine, PyPI).
/// A build that starts and fails ends as an `EnvFailureCause` in its result instead.
public enum EnvBuildError: Error, Sendable, CustomStringConvertible {
    case badSource(String, String)
    case fetch(String, String)
    case command(String, String)
    case unreadableList(String)

    public var description: String {
        switch self {
        case .badSource(let source, let why): return "source '\(source)': \(why)"
        case .fetch(let what, let why): return "fetching \(what): \(why)"
        case .command(let what, let why): return "\(what): \(why)"
        case .unreadableList(let path): return "\(path): cannot read the list of sources"
        }
    }
}

/// The fixed set of reasons an environment build ends without an environment.
public enum EnvFailureCause: String, Codable, Sendable, CaseIterable {
    case fetchFailed = "fetch_failed"
    case noTests = "no_tests"
    case pythonUnavailable = "python_unavailable"
    case installFailed = "install_failed"
    case needsSystemLibrary = "needs_system_library"
    case collectionError = "collection_error"
    case allTestsFail = "all_tests_fail"
    case tooFewPassing = "too_few_passing"
    case timeout = "timeout"
    case sourceChangeNotSeen = "source_change_not_seen"
}
