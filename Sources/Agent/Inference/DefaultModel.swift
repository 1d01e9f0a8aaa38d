import Foundation

/// Where models live and what `--model default` means.
public enum ModelLocator {
    public static let defaultFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"

    /// `${FORAGER_CACHE_DIR:-~/.cache/forager}/models`
    public static var modelDirectory: String {
        let env = ProcessInfo.processInfo.environment
        let root = env["FORAGER_CACHE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/forager")
        return (root as NSString).appendingPathComponent("models")
    }

    public static var defaultModelPath: String { (modelDirectory as NSString).appendingPathComponent(defaultFileName) }

    /// Resolves `default` to the embedded model (failing with the command that fetches it) and
    /// checks that any other path exists.
    public static func resolve(_ spec: String) throws -> String {
        if spec == "default" {
            let p = defaultModelPath
            guard FileManager.default.fileExists(atPath: p) else {
                throw InferenceError.modelNotFound("the default model is not installed (expected \(p)); run Scripts/fetch-default-model (or Scripts/setup) first")
            }
            return p
        }
        guard FileManager.default.fileExists(atPath: spec) else {
            throw InferenceError.modelNotFound("\(spec): no such model file or folder (pass a GGUF file, a Hugging Face checkpoint folder, or `default`)")
        }
        return spec
    }
}
