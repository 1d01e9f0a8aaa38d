import Foundation

/// The recipes under an `Images/` folder, and the order to build them in.
public struct RecipeCatalog: Sendable {
    public let directory: URL
    public let recipes: [ImageRecipe]

    public init(directory: URL) throws(RecipeError) {
        self.directory = directory
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory.path) else {
            throw .invalidRecipe(directory.path, "is not a readable folder")
        }
        var recipes: [ImageRecipe] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            var isDir: ObjCBool = false
            let url = directory.appendingPathComponent(name)
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else { continue }
            recipes.append(try ImageRecipe(directory: url))
        }
        self.recipes = recipes
    }

    /// Finds the `Images/` folder: `$FORAGER_ROOT/Images`, `./Images`, or the one above the executable.
    public static func locateImagesDirectory() -> URL? {
        let fm = FileManager.default
        var candidates: [URL] = []
        if let root = ProcessInfo.processInfo.environment["FORAGER_ROOT"] {
            candidates.append(URL(fileURLWithPath: root).appendingPathComponent("Images"))
        }
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("Images"))
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(dir.appendingPathComponent("Images"))
            dir = dir.deletingLastPathComponent()
        }
        return candidates.first { fm.fileExists(atPath: $0.appendingPathComponent("base").path) }
    }

    public func recipe(named name: String) throws(RecipeError) -> ImageRecipe {
        guard let r = recipes.first(where: { $0.name == name || $0.tag == name }) else {
            throw .unknownImage(name, known: recipes.map(\.name))
        }
        return r
    }

    /// The recipes to build for `names` (all when empty), each after the recipes it is built FROM.
    public func buildOrder(for names: [String]) throws(RecipeError) -> [ImageRecipe] {
        let wanted = names.isEmpty ? recipes : try names.map { name throws(RecipeError) in try recipe(named: name) }
        var ordered: [ImageRecipe] = []
        var done: Set<String> = []
        var visiting: [String] = []

        func visit(_ r: ImageRecipe) throws(RecipeError) {
            if done.contains(r.name) { return }
            if let i = visiting.firstIndex(of: r.name) { throw .dependencyCycle(Array(visiting[i...]) + [r.name]) }
            visiting.append(r.name)
            for base in r.baseTags {
                if let dep = recipes.first(where: { $0.tag == base }) { try visit(dep) }
            }
            visiting.removeLast()
            done.insert(r.name)
            ordered.append(r)
        }
        for r in wanted { try visit(r) }
        return ordered
    }
}
