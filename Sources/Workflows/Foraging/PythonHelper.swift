import Foundation

/// A Python program Forager ships as a resource file (`Sources/Workflows/Foraging/Resources/<fileName>`,
/// copied as a folder into the target's resources bundle) and copies into a
/// repository container through the Docker archive API. The files are plain Python, readable and
/// runnable on the host (the unit tests run them with python3).
public struct PythonHelper: Sendable, Hashable {
    /// The resource's file name, also its name in the container.
    public let fileName: String

    public init(fileName: String) {
        self.fileName = fileName
    }

    /// `trace` lists the functions passing tests execute, `mutate` enumerates mutations of them
    /// with `ast` as edits at exact positions, `operators` prints its operator table.
    public static let mutation = PythonHelper(fileName: "forager_mutate.py")

    /// Where the helper goes in a container.
    public var containerPath: String { "/tmp/" + fileName }

    /// The resource file (in the `.resources` bundle beside the `forager` binary).
    public func url() throws(PythonHelperError) -> URL {
        let name = (fileName as NSString).deletingPathExtension, ext = (fileName as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources") else {
            throw .missing(fileName, Bundle.module.bundleURL.path)
        }
        return url
    }

    /// The helper's text, as it is copied into containers.
    public func source() throws(PythonHelperError) -> Data {
        let url = try url()
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(url.path) }
        return data
    }
}

public enum PythonHelperError: Error, Sendable, CustomStringConvertible {
    case missing(String, String)
    case unreadable(String)

    public var description: String {
        switch self {
        case .missing(let file, let bundle):
            return "Forager's Python helper \(file) is not in \(bundle) (the resources bundle must stay beside the forager binary)"
        case .unreadable(let path):
            return "cannot read Forager's Python helper \(path)"
        }
    }
}
