import Agent
import Foundation
import Inference

/// The agent's model for commands that run episodes (`run`, `forage`): a scripted agent, or a
/// model file / checkpoint / the embedded default run in process.
struct ModelBackend {
    let model: any LanguageModel
    let format: any Agent.ChatFormat
    /// Stored with the run (the file's name, or `scripted:<file>`).
    let name: String
    /// `in-process` or `scripted`.
    let kind: String
    /// The model's context length (131072 for a scripted agent, which has none).
    let contextLength: Int

    static func load(model: String?, scripted: String?) throws -> ModelBackend {
        let path = try ModelLocator.resolve(model ?? "default")
        let loaded = try Model.load(path: path)
        let format = chatFormat(for: loaded.tokenizer)
        if let scripted {
            return ModelBackend(model: try ScriptedModel(format: format, contentsOf: URL(fileURLWithPath: scripted)), format: format,
                                name: "scripted:" + URL(fileURLWithPath: scripted).lastPathComponent, kind: "scripted",
                                contextLength: 131_072)
        }
        return ModelBackend(model: InferenceModel(model: loaded, format: format), format: format,
                            name: URL(fileURLWithPath: path).lastPathComponent, kind: "in-process",
                            contextLength: loaded.config.contextLength)
    }
}
