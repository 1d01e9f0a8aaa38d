import ArgumentParser
import Foundation
import Trajectories

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print an episode as a readable transcript, or an execution trace step by step.",
        discussion: """
            The task, each turn's reasoning and tool call, the observations with their budget, the \
            submitted patch, the grade and any replays. Coloured on a terminal (unless NO_COLOR is set), \
            plain text otherwise. Given a trace id (forager trace stores them), the trace frame by frame: the \
            source around each line with the line marked, the locals with changed ones starred, returned \
            values and exceptions.
            """
    )

    @Argument(help: "The episode id (RUN/INSTANCE/SAMPLE, as forager run --json lists them) or a trace id.")
    var episode: String

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @Flag(help: "Also show the steps of earlier attempts of a resumed episode.")
    var allAttempts = false

    func run() async throws {
        let store = try await openStoreForReading(db)
        if let trace = try await store.trace(id: episode) {
            print(TraceTranscript(trace: trace, style: TranscriptStyle(colored: TranscriptStyle.terminalWantsColor)).render())
            return
        }
        let stored = try await store.episode(episode, allAttempts: allAttempts)
        let run = try await store.run(stored.episode.runID)
        let replays = try await store.replays(episode: episode)
        let style = TranscriptStyle(colored: TranscriptStyle.terminalWantsColor)
        print(Transcript(episode: stored, run: run, replays: replays, style: style).render())
    }
}
