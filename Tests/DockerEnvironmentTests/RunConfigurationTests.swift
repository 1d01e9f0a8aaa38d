import Agent
import DockerEnvironment
import Foundation
import Testing

@Suite struct RunConfigurationTests {
    /// Every field set away from its default survives a write and a read.
    @Test func roundTripKeepsEveryField() throws {
        var episode = EpisodeConfig()
        episode.contextSize = 4_096
        episode.maxTurns = 7
        episode.maxActionLength = 256
        episode.maxUserTurnLength = 1_000
        episode.maxPromptLength = 900
        episode.sessionTimeout = .milliseconds(2_500)
        episode.sandboxLifetime = .seconds(600)
        episode.strictFormat = true
        episode.think = false
        episode.useThinkTag = false
        episode.plugins = false
        episode.testPatchHint = true
        episode.maxAttempts = 2
        episode.stopAfterToolCall = true
        let config = RunConfiguration(samples: 3, workers: 2, model: "m.gguf", backend: "endpoint",
                                      modelDetails: ["token_counts": "estimated"], episode: episode)
        #expect(episode != EpisodeConfig())
        let text = try config.encoded()
        let back = try RunConfiguration.decode(text)
        #expect(back == config)
        #expect(back.episodeConfig.maxActionLength == 256)
        #expect(back.episodeConfig.sessionTimeout == .milliseconds(2_500))
    }

    /// What stores written before this type hold: keys they lack keep their defaults, and think
    /// mode implies think tags.
    @Test func readsOlderRecords() throws {
        let old = #"{"backend":"scripted","contextSize":8192,"maxTurns":6,"model":"x","model_details":{},"samples":1,"sessionTimeout":120,"strict":false,"think":true,"workers":2}"#
        let config = try RunConfiguration.decode(old)
        #expect(config.episode.maxTurns == 6)
        #expect(config.episode.contextSize == 8192)
        #expect(config.episode.maxActionLength == EpisodeConfig().maxActionLength)
        #expect(config.episode.useThinkTag)
        #expect(!config.episode.stopAfterToolCall)
        #expect(try RunConfiguration.decode("").episode == EpisodeConfig())
    }

    @Test func unreadableRecordIsAnError() {
        #expect(throws: RunConfigurationError.self) { try RunConfiguration.decode("{oops") }
        #expect(throws: RunConfigurationError.self) { try RunConfiguration.decode(#"{"maxTurns":"many"}"#) }
    }
}
