import ArgumentParser
import Foundation
import Trajectories
import Viewer

/// `forager view`: browse a trajectory database in a web browser.
struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Serve a local web page over a trajectory database: runs, episodes, steps, charts.",
        discussion: """
            Pages: / (runs, resolved rate by run), /run?id=RUN (charts: outcomes, turns and tokens per episode), \
            /episodes?run=&outcome=&task=&model=&source= (filtered episodes), /episode?id=EPISODE (steps, \
            patches, replay mismatches). JSON: /api/runs, /api/episodes?…, /api/episode?id=…. \
            Listens on 127.0.0.1 only unless --host says otherwise; Ctrl-C stops it.
            """
    )

    @Option(help: "The trajectory database.")
    var db: String = TrajectoryStore.defaultPath

    @Option(help: "Address to listen on (default 127.0.0.1; anything else makes the page reachable from other machines).")
    var host: String?

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 8080

    func run() async throws {
        // Loopback unless --host names another address, which is then taken as deliberate.
        let host = self.host ?? "127.0.0.1"
        if !ViewerServer.isLoopback(host) {
            Output.progress("forager view: warning: listening on \(host); anyone who can reach it can read this database's trajectories\n")
        }
        let store = try await openStoreForReading(db)
        let server = ViewerServer(store: store)
        try await server.run(host: host, port: port) { url in
            FileHandle.standardOutput.write(Data("forager view: \(db) on \(url)\n".utf8))
        }
    }
}
