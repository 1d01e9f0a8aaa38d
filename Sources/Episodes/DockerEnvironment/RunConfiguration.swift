import Agent
import Foundation
import ForagerSupport

/// A run's configuration as stored with it (`runs.config_json`): written by `forager run` and
/// `forager forage`, read back by `forager replay`, by this one type, so every setting that is
/// written is read. Keys keep the names earlier stores used; a key an older store lacks keeps
/// its default when read.
public struct RunConfiguration: Codable, Sendable, Hashable {
    public var samples: Int
    public var workers: Int
    public var model: String
    public var backend: String
    /// Facts about the backend (how token counts were made, an endpoint's URL). Never a secret.
    public var modelDetails: [String: String]
    /// The loop's settings.
    public var episode: EpisodeConfig

    public init(samples: Int, workers: Int, model: String, backend: String, modelDetails: [String: String] = [:],
                episode: EpisodeConfig) {
        self.samples = samples
        self.workers = workers
        self.model = model
        self.backend = backend
        self.modelDetails = modelDetails
        self.episode = episode
    }

    /// The loop settings to replay the run with.
    public var episodeConfig: EpisodeConfig { episode }

    enum CodingKeys: String, CodingKey {
        case samples, workers, model, backend
        case modelDetails = "model_details"
        case maxTurns, contextSize, maxActionLength, maxUserTurnLength, maxPromptLength
        case sessionTimeout, sandboxLifetime, strict, think, useThinkTag, plugins, testPatchHint, maxAttempts, stopAfterToolCall
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EpisodeConfig()
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 1
        workers = try c.decodeIfPresent(Int.self, forKey: .workers) ?? 1
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        backend = try c.decodeIfPresent(String.self, forKey: .backend) ?? ""
        modelDetails = try c.decodeIfPresent([String: String].self, forKey: .modelDetails) ?? [:]
        var e = defaults
        e.maxTurns = try c.decodeIfPresent(Int.self, forKey: .maxTurns) ?? defaults.maxTurns
        e.contextSize = try c.decodeIfPresent(Int.self, forKey: .contextSize) ?? defaults.contextSize
        e.maxActionLength = try c.decodeIfPresent(Int.self, forKey: .maxActionLength) ?? defaults.maxActionLength
        e.maxUserTurnLength = try c.decodeIfPresent(Int.self, forKey: .maxUserTurnLength) ?? defaults.maxUserTurnLength
        e.maxPromptLength = try c.decodeIfPresent(Int.self, forKey: .maxPromptLength) ?? defaults.maxPromptLength
        if let s = try c.decodeIfPresent(Double.self, forKey: .sessionTimeout), s > 0 { e.sessionTimeout = .seconds(s) }
        if let s = try c.decodeIfPresent(Double.self, forKey: .sandboxLifetime), s > 0 { e.sandboxLifetime = .seconds(s) }
        e.strictFormat = try c.decodeIfPresent(Bool.self, forKey: .strict) ?? defaults.strictFormat
        let think = try c.decodeIfPresent(Bool.self, forKey: .think)
        e.think = think ?? defaults.think
        // Stores written before think tags were recorded: think mode implied them, as `--think` sets.
        e.useThinkTag = try c.decodeIfPresent(Bool.self, forKey: .useThinkTag) ?? think ?? defaults.useThinkTag
        e.plugins = try c.decodeIfPresent(Bool.self, forKey: .plugins) ?? defaults.plugins
        e.testPatchHint = try c.decodeIfPresent(Bool.self, forKey: .testPatchHint) ?? defaults.testPatchHint
        e.maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? defaults.maxAttempts
        e.stopAfterToolCall = try c.decodeIfPresent(Bool.self, forKey: .stopAfterToolCall) ?? defaults.stopAfterToolCall
        episode = e
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(samples, forKey: .samples)
        try c.encode(workers, forKey: .workers)
        try c.encode(model, forKey: .model)
        try c.encode(backend, forKey: .backend)
        try c.encode(modelDetails, forKey: .modelDetails)
        try c.encode(episode.maxTurns, forKey: .maxTurns)
        try c.encode(episode.contextSize, forKey: .contextSize)
        try c.encode(episode.maxActionLength, forKey: .maxActionLength)
        try c.encode(episode.maxUserTurnLength, forKey: .maxUserTurnLength)
        try c.encode(episode.maxPromptLength, forKey: .maxPromptLength)
        try c.encode(episode.sessionTimeout.seconds, forKey: .sessionTimeout)
        try c.encode(episode.sandboxLifetime.seconds, forKey: .sandboxLifetime)
        try c.encode(episode.strictFormat, forKey: .strict)
        try c.encode(episode.think, forKey: .think)
        try c.encode(episode.useThinkTag, forKey: .useThinkTag)
        try c.encode(episode.plugins, forKey: .plugins)
        try c.encode(episode.testPatchHint, forKey: .testPatchHint)
        try c.encode(episode.maxAttempts, forKey: .maxAttempts)
        try c.encode(episode.stopAfterToolCall, forKey: .stopAfterToolCall)
    }

    /// The JSON text stored with a run (keys sorted, so equal configurations store equal text).
    public func encoded() throws(RunConfigurationError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return String(decoding: try encoder.encode(self), as: UTF8.self) } catch {
            throw .unencodable(reason: "\(error)")
        }
    }

    /// Reads a stored configuration; an empty one gives the defaults.
    public static func decode(_ json: String) throws(RunConfigurationError) -> RunConfiguration {
        let text = json.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return try JSONDecoder().decode(RunConfiguration.self, from: Data((text.isEmpty ? "{}" : text).utf8))
        } catch {
            throw .unreadable(json: String(text.prefix(200)), reason: "\(error)")
        }
    }
}

public enum RunConfigurationError: Error, Sendable, CustomStringConvertible {
    case unreadable(json: String, reason: String)
    case unencodable(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let json, let reason): return "the run's stored configuration \(json) cannot be read: \(reason)"
        case .unencodable(let reason): return "the run's configuration cannot be stored: \(reason)"
        }
    }
}
