import ArgumentParser
import DockerEngine
import Foundation
import Sandbox

struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove the containers and volumes that crashed or killed runs left behind.",
        discussion: """
            A Forager container is garbage when the process that made it is gone, its lifetime has \
            ended, or it has stopped. Found by the labels every sandbox carries (forager.run, \
            forager.episode, forager.role, forager.owner, forager.deadline). With --cluster swarm, \
            cluster-wide: Forager's services on the manager, then the containers and volumes of every \
            node whose engine answers.
            """
    )

    @Flag(help: "Only list what would be removed.")
    var dryRun = false

    @Flag(help: "Remove every Forager container and volume, including those of runs still going.")
    var all = false

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup(title: "Cluster") var clusterOptions: ClusterOptions

    func run() async throws {
        let client = try await DockerClient.connect()
        let items: [GarbageCollector.Leftover]
        if let swarm = try await clusterOptions.swarm(manager: client, registry: nil, quiet: true) {
            // Cluster-wide: the services on the manager, then every node's containers and volumes.
            let found = try await GarbageCollector.swarmLeftovers(swarm, all: all, remove: !dryRun)
            items = found.items
            for node in found.unreachable {
                Output.progress("gc: swarm node \(node) is not reachable; run forager gc again when it is back\n")
            }
        } else {
            let collector = GarbageCollector(client: client)
            items = dryRun ? try await collector.leftovers(all: all) : try await collector.collect(all: all)
        }
        if json {
            try Output.json(items)
            return
        }
        if items.isEmpty {
            print("nothing to remove")
            return
        }
        var rows = [["KIND", "NAME", "RUN", "ROLE", "WHY"]]
        for item in items {
            rows.append([item.kind, item.name, item.run ?? "-", item.role ?? "-", item.reason])
        }
        print(Output.table(rows))
        print(dryRun ? "\(items.count) would be removed (dry run)" : "removed \(items.count)")
    }
}
