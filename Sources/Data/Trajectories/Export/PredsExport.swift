/// SWE-bench predictions JSONL: `{instance_id, model_name_or_path, model_patch}` per instance.
public enum PredsExport {
    /// One prediction per instance from its finished episode with sample index `sample`; with
    /// `sample: nil`, the finished episode that ended last. Unfinished episodes give no prediction.
    public static func predictions(_ data: RunExport, sample: Int? = 0) -> [OrderedJSON] {
        var chosen: [String: Episode] = [:]
        var order: [String] = []
        for episode in data.episodes.map(\.episode) where episode.status == .finished {
            if let sample, episode.sampleIndex != sample { continue }
            if let current = chosen[episode.instanceID] {
                let currentEnd = current.endedAt ?? current.startedAt
                let end = episode.endedAt ?? episode.startedAt
                if end < currentEnd { continue }
            } else {
                order.append(episode.instanceID)
            }
            chosen[episode.instanceID] = episode
        }
        return order.compactMap { chosen[$0] }.map { episode in
            .object([
                ("instance_id", .string(episode.instanceID)),
                ("model_name_or_path", .string(data.run.modelName)),
                ("model_patch", .string(episode.submittedPatch ?? "")),
            ])
        }
    }

    public static func lines(_ data: RunExport, sample: Int? = 0) -> [String] {
        predictions(data, sample: sample).map { $0.serialized() }
    }
}
