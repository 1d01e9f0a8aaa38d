import Foundation
import Testing
import TestSupport
@testable import Inference

enum Fixtures {
    static func url(_ name: String) throws -> URL {
        guard let u = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
            throw InferenceError.io(name, "fixture missing from the test bundle")
        }
        return u
    }

    static func has(_ name: String) -> Bool {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) != nil
    }

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }

    /// An embedded model, fetched with Scripts/fetch-model when missing.
    static func embeddedModelPath(_ model: ModelLocator.Embedded) throws -> String {
        let path = ModelLocator.path(of: model)
        if !FileManager.default.fileExists(atPath: path) {
            _ = try? ChildProcess(packageRoot.appendingPathComponent("Scripts/fetch-model"), [model.name],
                                  output: .inherit, errors: .inherit).finish()
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw InferenceError.modelNotFound("the \(model.name) model is missing at \(path): run Scripts/fetch-model \(model.name) (Scripts/setup runs it)")
        }
        return path
    }

    /// The tiny SmolLM2-135M model.
    static func tinyModelPath() throws -> String { try embeddedModelPath(ModelLocator.tinyModel) }

    nonisolated(unsafe) private static var cached: [String: Model] = [:]
    private static let lock = NSLock()

    private static func load(_ model: ModelLocator.Embedded) throws -> Model {
        lock.lock(); defer { lock.unlock() }
        if let m = cached[model.name] { return m }
        let m = try Model.load(path: try embeddedModelPath(model))
        cached[model.name] = m
        return m
    }

    /// SmolLM2-135M-Instruct, loaded once.
    static func tinyModel() throws -> Model { try load(ModelLocator.tinyModel) }

    /// Qwen2.5-Coder-1.5B-Instruct (the default model), loaded once.
    static func qwenModel() throws -> Model { try load(ModelLocator.defaultModel) }
}
