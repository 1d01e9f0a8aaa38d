import DockerEngine
import Foundation
import ImageRecipes

/// Builds the project's image recipes (Images/) a test needs, once per test process, in
/// dependency order. A root-filesystem recipe is built only when its image is missing; a
/// Dockerfile recipe is always handed to the builder, which rebuilds it only when it changed.
public actor TestImages {
    public static let shared = TestImages()

    /// The demo tasks' images (Tasks/demo).
    public static let demo = ["demo-calc", "demo-ledger"]

    private var ready: Set<String> = []

    public func ensure(_ names: [String]) async throws {
        let missing = names.filter { !ready.contains($0) }
        guard !missing.isEmpty else { return }
        let client = try await DockerClient.connect()
        let catalog = try RecipeCatalog(directory: packageRoot.appendingPathComponent("Images"))
        let builder = ImageBuilder(client: client)
        for recipe in try catalog.buildOrder(for: missing) where !ready.contains(recipe.name) {
            let exists = try await client.inspectImage(recipe.tag) != nil
            if recipe.kind == .dockerfile || !exists {
                _ = try await builder.build(recipe) { _ in }
            }
            ready.insert(recipe.name)
        }
    }
}

/// Makes sure the demo tasks' images exist and are current.
public func ensureDemoImages() async throws {
    try await TestImages.shared.ensure(TestImages.demo)
}
