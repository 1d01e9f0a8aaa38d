import DockerEngine
import Foundation
import Testing
import TestSupport
@testable import ImageRecipes

/// A temporary Images/ folder with the given Dockerfile recipes.
func makeCatalog(_ recipes: [String: String]) throws -> URL {
    let dir = TestScratch.url.appendingPathComponent("forager-images-\(UUID().uuidString)")
    for (name, dockerfile) in recipes {
        let recipeDir = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: recipeDir, withIntermediateDirectories: true)
        try dockerfile.write(to: recipeDir.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
    }
    return dir
}

@Suite("Recipe catalog")
struct RecipeCatalogTests {
    @Test("FROM lines name the base images, skipping build stages and flags")
    func fromParsing() {
        let dockerfile = """
            FROM --platform=linux/amd64 forager/base:bookworm AS builder
            RUN make
            FROM builder
            FROM forager/tools
            """
        #expect(ImageRecipe.fromImages(dockerfile) == ["forager/base:bookworm", "forager/tools:latest"])
    }

    @Test("the build order puts every recipe after the ones it is built FROM")
    func buildOrder() throws {
        let dir = try makeCatalog([
            "app": "FROM forager/lib:latest\n",
            "lib": "FROM forager/tools:latest\n",
            "tools": "FROM forager/base:bookworm\n",
            "other": "FROM forager/base:bookworm\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalog = try RecipeCatalog(directory: dir)
        #expect(try catalog.buildOrder(for: ["app"]).map(\.name) == ["tools", "lib", "app"])
        let all = try catalog.buildOrder(for: []).map(\.name)
        #expect(all.count == 4)
        #expect(all.firstIndex(of: "tools")! < all.firstIndex(of: "lib")!)
        #expect(all.firstIndex(of: "lib")! < all.firstIndex(of: "app")!)
        #expect(try catalog.recipe(named: "forager/lib:latest").name == "lib")
    }

    @Test("a cycle and an unknown name are errors that name the recipes")
    func errors() throws {
        let dir = try makeCatalog(["a": "FROM forager/b:latest\n", "b": "FROM forager/a:latest\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let catalog = try RecipeCatalog(directory: dir)
        #expect(throws: RecipeError.self) { try catalog.buildOrder(for: ["a"]) }
        do {
            _ = try catalog.buildOrder(for: ["a"])
        } catch {
            #expect("\(error)".contains("a → b → a"))
        }
        do {
            _ = try catalog.recipe(named: "nope")
            Issue.record("found a recipe that does not exist")
        } catch {
            #expect("\(error)".contains("No image recipe named 'nope'; known: a, b"))
        }
    }

    @Test("the project's own Images/ folder has the base recipe as a root filesystem recipe")
    func projectCatalog() throws {
        let catalog = try RecipeCatalog(directory: packageRoot.appendingPathComponent("Images"))
        let base = try catalog.recipe(named: "base")
        #expect(base.kind == .rootfs)
        #expect(base.tag == "forager/base:bookworm")
        #expect(try catalog.buildOrder(for: []).first?.name == "base")
    }
}

@Suite("Image builder", .enabled { await dockerTestsEnabled() })
struct ImageBuilderTests {
    @Test("a chain of Dockerfile recipes builds in order, labelled, and the base is up to date")
    func buildChain() async throws {
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let dir = try makeCatalog([
            "t\(suffix)-lower": "FROM forager/base:bookworm\nRUN echo lower > /lower\n",
            "t\(suffix)-upper": "FROM forager/t\(suffix)-lower:latest\nRUN cat /lower > /upper && echo upper >> /upper\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let client = try await DockerClient.connect()
        let catalog = try RecipeCatalog(directory: dir)
        let builder = ImageBuilder(client: client)
        for recipe in try catalog.buildOrder(for: ["t\(suffix)-upper"]) {
            let outcome = try await builder.build(recipe) { _ in }
            guard case .built = outcome else { Issue.record("\(recipe.name) was not built"); continue }
        }
        let upper = try #require(try await client.inspectImage("forager/t\(suffix)-upper:latest"))
        #expect(upper.config?.labels?[ImageBuilder.nameLabel] == "t\(suffix)-upper")
        let id = try await client.runContainer(ContainerSpec(image: "forager/t\(suffix)-upper:latest", cmd: ["cat", "/upper"]))
        _ = try await client.waitContainer(id, timeout: .seconds(30))
        #expect(try await client.containerLogs(id).stdoutText == "lower\nupper\n")
        try await client.removeContainer(id)
        try await client.removeImage("forager/t\(suffix)-upper:latest", force: true)
        try await client.removeImage("forager/t\(suffix)-lower:latest", force: true)

        let base = try RecipeCatalog(directory: packageRoot.appendingPathComponent("Images")).recipe(named: "base")
        #expect(try await builder.build(base) { _ in } == .upToDate)
    }
}
