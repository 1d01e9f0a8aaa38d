import Foundation

/// One image recipe: a folder under `Images/`.
///
/// Two kinds exist. A *root filesystem* recipe (the base image) has an executable `build-rootfs`
/// that writes a rootfs tar, a `recipe-hash` script, and a `config` of Dockerfile instructions
/// applied at import. A *Dockerfile* recipe has a `Dockerfile` built with its folder as context.
/// The tag is `forager/<folder>:latest` unless a `tag` file says otherwise.
public struct ImageRecipe: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case rootfs
        case dockerfile
    }

    public let name: String
    public let directory: URL
    public let kind: Kind
    public let tag: String
    /// Tags this recipe's image is built FROM (only those that are Forager images).
    public let baseTags: [String]

    public init(directory: URL) throws(RecipeError) {
        let fm = FileManager.default
        self.directory = directory
        name = directory.lastPathComponent
        let tagFile = directory.appendingPathComponent("tag")
        if let text = try? String(contentsOf: tagFile, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            tag = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            tag = "forager/\(name):latest"
        }
        if fm.isExecutableFile(atPath: directory.appendingPathComponent("build-rootfs").path) {
            kind = .rootfs
            baseTags = []
        } else if let dockerfile = try? String(contentsOf: directory.appendingPathComponent("Dockerfile"), encoding: .utf8) {
            kind = .dockerfile
            baseTags = Self.fromImages(dockerfile)
        } else {
            throw .invalidRecipe(directory.path, "has neither a Dockerfile nor an executable build-rootfs")
        }
    }

    /// The images named by FROM lines (ignoring build-stage aliases and `AS name`).
    static func fromImages(_ dockerfile: String) -> [String] {
        var stages: Set<String> = []
        var images: [String] = []
        for line in dockerfile.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.first?.uppercased() == "FROM" else { continue }
            let args = words.dropFirst().filter { !$0.hasPrefix("--") }
            guard let image = args.first else { continue }
            if !stages.contains(image) { images.append(image.contains(":") ? image : image + ":latest") }
            if args.count >= 3, args[args.startIndex + 1].uppercased() == "AS" { stages.insert(args[args.startIndex + 2]) }
        }
        return images
    }

    /// Repository and tag parts of `tag`.
    public var repositoryAndTag: (repository: String, tag: String) {
        guard let colon = tag.lastIndex(of: ":"), !tag[colon...].contains("/") else { return (tag, "latest") }
        return (String(tag[..<colon]), String(tag[tag.index(after: colon)...]))
    }
}

public enum RecipeError: Error, Sendable, CustomStringConvertible {
    case invalidRecipe(String, String)
    case unknownImage(String, known: [String])
    case dependencyCycle([String])
    case scriptFailed(String, String)
    case build(String, String)

    public var description: String {
        switch self {
        case .invalidRecipe(let path, let why): return "Image recipe \(path) \(why)"
        case .unknownImage(let name, let known): return "No image recipe named '\(name)'; known: \(known.joined(separator: ", "))"
        case .dependencyCycle(let names): return "Image recipes depend on each other in a cycle: \(names.joined(separator: " → "))"
        case .scriptFailed(let script, let output): return "\(script) failed:\n\(output)"
        case .build(let name, let message): return "Building image '\(name)' failed: \(message)"
        }
    }
}
