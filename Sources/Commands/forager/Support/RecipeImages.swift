import DockerEngine
import Foundation
import ImageRecipes

/// Task images that an `Images/` recipe makes are built before a command needs them, with
/// progress, instead of every episode failing with "image missing".
enum RecipeImages {
    /// Builds each of `images` that the engine lacks and a recipe makes (with the recipes it is
    /// built FROM that are missing too). Images no recipe makes are left to fail where they are
    /// used, with their own message.
    static func buildMissing(_ images: [String], client: DockerClient) async throws {
        var missing: Set<String> = []
        for image in Set(images) where try await client.inspectImage(image) == nil { missing.insert(image) }
        guard !missing.isEmpty, let directory = RecipeCatalog.locateImagesDirectory(),
              let catalog = try? RecipeCatalog(directory: directory) else { return }
        let wanted = catalog.recipes.filter { missing.contains($0.tag) }.map(\.name)
        guard !wanted.isEmpty else { return }
        let builder = ImageBuilder(client: client)
        for recipe in try catalog.buildOrder(for: wanted) where try await client.inspectImage(recipe.tag) == nil {
            Output.progress("forager: \(recipe.tag) is missing; building it from \(recipe.directory.path) ")
            do {
                _ = try await builder.build(recipe) { line in if line.hasPrefix("Step ") { Output.progress(".") } }
            } catch {
                Output.progress("\n")
                throw CommandFailure("Building \(recipe.tag) failed: \(error)\nBuild it yourself with: forager images build \(recipe.name)")
            }
            Output.progress(" built\n")
        }
    }
}
