import Foundation
import ForagerSupport

/// One SWE-bench prediction: a model's patch for an instance.
public struct Prediction: Sendable, Equatable, Codable {
    public var instanceID: String
    public var modelNameOrPath: String
    /// nil or "" is an empty patch, which is not run.
    public var modelPatch: String?

    public init(instanceID: String, modelNameOrPath: String, modelPatch: String?) {
        self.instanceID = instanceID
        self.modelNameOrPath = modelNameOrPath
        self.modelPatch = modelPatch
    }

    enum CodingKeys: String, CodingKey {
        case instanceID = "instance_id", modelNameOrPath = "model_name_or_path", modelPatch = "model_patch"
    }

    public var isEmpty: Bool { (modelPatch ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
}

public enum PredictionLoader {
    /// Reads predictions in any SWE-bench shape. Every prediction must name an instance in `tasks`:
    /// an unknown id is an error before anything runs.
    public static func load(_ path: String, tasks: [TaskRow]) throws(TaskFileError) -> [Prediction] {
        let known = Set(tasks.map(\.instanceID))
        let file = try RowFile.read(path)
        var out: [Prediction] = [], problems = file.problems.map(\.description)
        var seen: Set<String> = []
        for located in file.rows {
            let o = located.object
            guard let id = o["instance_id"]?.stringValue, !id.isEmpty else {
                problems.append("\(located.location): key 'instance_id' is missing")
                continue
            }
            if let reason = FileNames.unusableReason(id) {
                problems.append("\(located.location): instance_id \(quoted(id)) cannot be used (it names the instance's log files): \(reason)")
                continue
            }
            guard known.contains(id) else {
                problems.append("\(located.location): instance_id \(id) is not in the tasks file")
                continue
            }
            if !seen.insert(id).inserted {
                problems.append("\(located.location): a second prediction for \(id)")
                continue
            }
            var patch: String?
            switch o["model_patch"] {
            case .string(let s)?: patch = s
            case nil, .null?: patch = nil
            case let other?: problems.append("\(located.location): key 'model_patch' should be a string, found \(other.typeName)")
            }
            let model = o["model_name_or_path"]?.stringValue ?? "unknown-model"
            out.append(Prediction(instanceID: id, modelNameOrPath: model, modelPatch: patch))
        }
        if !problems.isEmpty { throw TaskFileError(file: path, problems: problems) }
        return out
    }

    /// The gold patches, as predictions of the model `gold`.
    public static func gold(_ tasks: [TaskRow]) -> [Prediction] {
        tasks.map { Prediction(instanceID: $0.instanceID, modelNameOrPath: "gold", modelPatch: $0.patch) }
    }

    /// Empty patches for every task, as predictions of the model `empty`.
    public static func empty(_ tasks: [TaskRow]) -> [Prediction] {
        tasks.map { Prediction(instanceID: $0.instanceID, modelNameOrPath: "empty", modelPatch: "") }
    }
}
