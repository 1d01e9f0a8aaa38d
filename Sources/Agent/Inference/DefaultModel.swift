import Foundation

/// Where models live and what the names `default` and `tiny` mean.
public enum ModelLocator {
    /// An embedded model: installed into the model cache by `Scripts/fetch-model NAME`.
    public struct Embedded: Sendable {
        public let name: String
        public let fileName: String
        public let description: String
    }

    /// `--model default`: Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M.
    public static let defaultModel = Embedded(name: "default", fileName: "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                                              description: "Qwen2.5-Coder-1.5B-Instruct Q4_K_M")
    /// `--model tiny`: SmolLM2-135M-Instruct, GGUF Q4_1, for fast tests.
    public static let tinyModel = Embedded(name: "tiny", fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
                                           description: "SmolLM2-135M-Instruct Q4_1")
    public static let embedded = [defaultModel, tinyModel]

    public static var defaultFileName: String { defaultModel.fileName }

    /// `${FORAGER_CACHE_DIR:-~/.cache/forager}/models`
    public static var modelDirectory: String {
        let env = ProcessInfo.processInfo.environment
        let root = env["FORAGER_CACHE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/forager")
        return (root as NSString).appendingPathComponent("models")
    }

    public static func path(of model: Embedded) -> String {
        (modelDirectory as NSString).appendingPathComponent(model.fileName)
    }

    public static var defaultModelPath: String { path(of: defaultModel) }
    public static var tinyModelPath: String { path(of: tinyModel) }

    /// Resolves `default` and `tiny` to the embedded models (failing with the command that
    /// fetches them) and checks that any other path exists.
    public static func resolve(_ spec: String) throws -> String {
        if let model = embedded.first(where: { $0.name == spec }) {
            let p = path(of: model)
            guard FileManager.default.fileExists(atPath: p) else {
                throw InferenceError.modelNotFound("the \(model.name) model (\(model.description)) is not installed (expected \(p)); run Scripts/fetch-model \(model.name) (or Scripts/setup) first")
            }
            return p
        }
        guard FileManager.default.fileExists(atPath: spec) else {
            throw InferenceError.modelNotFound("\(spec): no such model file or folder (pass a GGUF file, a Hugging Face checkpoint folder, `default` or `tiny`)")
        }
        return spec
    }
}
