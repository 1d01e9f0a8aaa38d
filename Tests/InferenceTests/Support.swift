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

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(name)))
    }

    /// The default SmolLM2 model, fetched with Scripts/fetch-default-model when missing.
    static func defaultModelPath() throws -> String {
        let path = ModelLocator.defaultModelPath
        if !FileManager.default.fileExists(atPath: path) {
            _ = try? ChildProcess(packageRoot.appendingPathComponent("Scripts/fetch-default-model"), [],
                                  output: .inherit, errors: .inherit).finish()
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw InferenceError.modelNotFound("the default model is missing at \(path): run Scripts/fetch-default-model (Scripts/setup runs it)")
        }
        return path
    }

    nonisolated(unsafe) private static var cached: Model?
    private static let lock = NSLock()

    static func defaultModel() throws -> Model {
        lock.lock(); defer { lock.unlock() }
        if let m = cached { return m }
        let m = try Model.load(path: try defaultModelPath())
        cached = m
        return m
    }
}
