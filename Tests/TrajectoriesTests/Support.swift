import Foundation
import Testing
@testable import Trajectories

func makeRun(_ store: TrajectoryStore, id: String = "r1") async throws -> Run {
    try await store.createRun(NewRun(id: id, configJSON: #"{"max_turns": 128}"#, modelName: "cwm-q8",
                                     backendKind: "local", foragerVersion: "0.1.0", tasksFile: "tasks.jsonl"))
}

func parseObject(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [String: Any], sourceLocation: sourceLocation)
}

func keys(_ object: Any?) -> [String] {
    ((object as? [String: Any]) ?? [:]).keys.sorted()
}
