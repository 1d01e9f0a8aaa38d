import DockerEngine
import ForagerSupport
import Foundation

/// Builds recipes into images through the engine.
public struct ImageBuilder: Sendable {
    public enum Outcome: Sendable, Equatable {
        case built(imageID: String)
        case upToDate
    }

    /// Labels every Forager-built image carries.
    public static let nameLabel = "forager.image"
    public static let recipeLabel = "forager.recipe"

    let client: DockerClient

    public init(client: DockerClient) { self.client = client }

    /// Builds one recipe. A root filesystem recipe is skipped when the image's recipe label already
    /// matches; a Dockerfile recipe always goes to the engine, whose layer cache makes an unchanged
    /// rebuild take a fraction of a second.
    public func build(_ recipe: ImageRecipe, force: Bool = false, progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        switch recipe.kind {
        case .rootfs: return try await buildRootfs(recipe, force: force, progress: progress)
        case .dockerfile: return try await buildDockerfile(recipe, noCache: force, progress: progress)
        }
    }

    /// The recipe hash the image should carry (root filesystem recipes only).
    public func recipeHash(_ recipe: ImageRecipe) throws -> String {
        let output = try Script.run(recipe.directory.appendingPathComponent("recipe-hash").path, [])
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func buildRootfs(_ recipe: ImageRecipe, force: Bool, progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let hash = try recipeHash(recipe)
        if !force, let existing = try await client.inspectImage(recipe.tag), existing.config?.labels?[Self.recipeLabel] == hash {
            return .upToDate
        }
        let tarball = FileManager.default.temporaryDirectory.appendingPathComponent("forager-rootfs-\(UUID().uuidString).tar").path
        defer { try? FileManager.default.removeItem(atPath: tarball) }
        progress("running \(recipe.name)/build-rootfs (debootstrap)\n")
        _ = try Script.run(recipe.directory.appendingPathComponent("build-rootfs").path, [tarball])
        let configText = (try? String(contentsOf: recipe.directory.appendingPathComponent("config"), encoding: .utf8)) ?? ""
        var changes = configText.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        changes += ["LABEL \(Self.recipeLabel)=\(hash)", "LABEL \(Self.nameLabel)=\(recipe.name)"]
        let (repository, tag) = recipe.repositoryAndTag
        progress("importing \(recipe.tag)\n")
        let id = try await client.importImage(rootfsTar: tarball, repository: repository, tag: tag, changes: changes,
                                              message: "forager \(recipe.name) recipe \(hash)")
        return .built(imageID: id)
    }

    private func buildDockerfile(_ recipe: ImageRecipe, noCache: Bool, progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        var writer = TarWriter()
        try writer.appendDirectory(at: recipe.directory)
        let context = writer.finish()
        do {
            let id = try await client.buildImage(
                context: context,
                options: BuildOptions(tags: [recipe.tag], labels: [Self.nameLabel: recipe.name], noCache: noCache),
                progress: progress)
            return .built(imageID: id)
        } catch {
            throw RecipeError.build(recipe.name, error.message)
        }
    }
}

/// Runs a recipe's helper script and returns its standard output; fails with its error output otherwise.
enum Script {
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let result: ProcessRunner.Result
        do {
            result = try ProcessRunner.run(path, arguments)
        } catch {
            throw RecipeError.scriptFailed(path, "cannot start: \(error)")
        }
        guard result.succeeded else {
            let errText = result.stderrText
            throw RecipeError.scriptFailed(path, errText.isEmpty ? "exit status \(result.status)" : errText)
        }
        return result.stdoutText
    }
}
