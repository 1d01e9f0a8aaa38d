import ArgumentParser
import DockerEngine
import Foundation
import ImageRecipes

struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Build and list the images whose recipes live under Images/.",
        subcommands: [ImagesBuildCommand.self, ImagesListCommand.self]
    )
}

struct ImagesOptions: ParsableArguments {
    @Option(help: "The folder of image recipes (default: ./Images, or the one beside this checkout).")
    var imagesDir: String?

    func catalog() throws -> RecipeCatalog {
        guard let dir = imagesDir.map({ URL(fileURLWithPath: $0) }) ?? RecipeCatalog.locateImagesDirectory() else {
            throw CommandFailure("No Images/ folder found; run from the Forager checkout or pass --images-dir.")
        }
        return try RecipeCatalog(directory: dir)
    }
}

struct ImagesBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build image recipes (all when none is named), each after the images it is built FROM."
    )

    @OptionGroup var options: ImagesOptions

    @Argument(help: "Recipe names (folders under Images/) or tags.")
    var names: [String] = []

    @Flag(help: "Rebuild even when up to date, without the layer cache.")
    var force = false

    @Flag(name: .shortAndLong, help: "Show every line of build output.")
    var verbose = false

    func run() async throws {
        let catalog = try options.catalog()
        let order = try catalog.buildOrder(for: names)
        let client = try await DockerClient.connect()
        let builder = ImageBuilder(client: client)
        for (i, recipe) in order.enumerated() {
            Output.progress("[\(i + 1)/\(order.count)] \(recipe.tag) ")
            let started = ContinuousClock.now
            let verbose = self.verbose
            let outcome = try await builder.build(recipe, force: force) { line in
                if verbose { Output.progress("\n  " + line.trimmingCharacters(in: .newlines)) } else if line.hasPrefix("Step ") { Output.progress(".") }
            }
            let seconds = (ContinuousClock.now - started).components.seconds
            switch outcome {
            case .upToDate: Output.progress(" up to date\n")
            case .built(let id): Output.progress(" built \(id.replacingOccurrences(of: "sha256:", with: "").prefix(12)) in \(seconds) s\n")
            }
        }
    }
}

struct ImagesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "The recipes under Images/ and the state of their images."
    )

    @OptionGroup var options: ImagesOptions

    @Flag(help: "Print JSON.")
    var json = false

    struct Row: Encodable {
        var name: String
        var tag: String
        var kind: String
        var built: Bool
        var id: String?
        var sizeBytes: Int64?
        var created: String?
        var from: [String]
        enum CodingKeys: String, CodingKey { case name, tag, kind, built, id, created, from; case sizeBytes = "size_bytes" }
    }

    func run() async throws {
        let catalog = try options.catalog()
        let client = try await DockerClient.connect()
        var rows: [Row] = []
        for recipe in try catalog.buildOrder(for: []) {
            let image = try await client.inspectImage(recipe.tag)
            rows.append(Row(name: recipe.name, tag: recipe.tag, kind: recipe.kind == .rootfs ? "rootfs" : "dockerfile",
                            built: image != nil, id: image.map { String($0.id.replacingOccurrences(of: "sha256:", with: "").prefix(12)) },
                            sizeBytes: image?.size, created: image?.created.map { String($0.prefix(19)) }, from: recipe.baseTags))
        }
        if json {
            try Output.json(rows)
        } else {
            var table = [["RECIPE", "TAG", "KIND", "IMAGE", "SIZE", "CREATED"]]
            for r in rows {
                table.append([r.name, r.tag, r.kind, r.id ?? "(not built)", r.sizeBytes.map(Output.megabytes) ?? "-", r.created ?? "-"])
            }
            print(Output.table(table))
        }
    }
}
