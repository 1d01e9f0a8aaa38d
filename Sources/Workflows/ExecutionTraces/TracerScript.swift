import Foundation

/// Forager's Python tracer (`Resources/tracer.py`, standard library only), shipped as a bundle
/// resource, copied into sandboxes and run there (or by the host's python3 in tests).
public enum TracerScript {
    public static let fileName = "tracer.py"
    public static let containerPath = "/tmp/forager_tracer.py"

    /// The tracer's path on the host (inside the resource bundle).
    public static var path: String {
        get throws(TracingError) {
            guard let url = Bundle.module.url(forResource: "tracer", withExtension: "py") else {
                throw .helper("tracer.py is missing from the \(Bundle.module.bundlePath) resource bundle")
            }
            return url.path
        }
    }

    /// The tracer's text.
    public static var source: Data {
        get throws(TracingError) {
            let path = try path
            guard let data = FileManager.default.contents(atPath: path) else { throw .helper("cannot read \(path)") }
            return data
        }
    }
}

public enum TracingError: Error, Sendable, CustomStringConvertible {
    case helper(String)
    case input(String, String)
    case run(String, String)

    public var description: String {
        switch self {
        case .helper(let why): return "tracer: \(why)"
        case .input(let file, let why): return "\(file): \(why)"
        case .run(let what, let why): return "\(what): \(why)"
        }
    }
}
