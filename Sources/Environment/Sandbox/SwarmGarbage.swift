import DockerEngine
import Foundation

extension GarbageCollector {
    /// The leftovers of a whole swarm: Forager's services on the manager (by the rules of
    /// `reason(labels:now:)`), then the containers and volumes on every node whose engine answers.
    /// A node that is down is named in `unreachable`; its containers go when it is collected later.
    public static func swarmLeftovers(_ swarm: SwarmCluster, all: Bool = false, remove: Bool,
                                      now: Date = Date()) async throws(SandboxError) -> (items: [Leftover], unreachable: [String]) {
        var items: [Leftover] = []
        let services: [ServiceSummary]
        do {
            services = try await swarm.manager.listServices(labels: [SandboxConfig.Label.owner])
        } catch {
            throw .engine("listing Forager's services on the swarm manager", error)
        }
        for service in services {
            let labels = service.spec?.labels ?? [:]
            guard let reason = all ? "--all" : reason(labels: labels, now: now) else { continue }
            if remove { try? await swarm.manager.removeService(service.id) }
            items.append(Leftover(kind: "service", id: service.id, name: service.spec?.name ?? service.id,
                                  run: labels[SandboxConfig.Label.run], role: labels[SandboxConfig.Label.role], reason: reason))
        }
        let nodes: [SwarmNode]
        do { nodes = try await swarm.manager.listNodes() } catch { throw .engine("listing the swarm's nodes", error) }
        var unreachable: [String] = []
        var seen: Set<String> = []
        for node in nodes {
            let name = node.description?.hostname ?? node.id
            guard node.status?.state == "ready", let client = try? await swarm.nodeClient(node.id) else {
                unreachable.append(name)
                continue
            }
            guard seen.insert(client.endpoint.description).inserted else { continue }
            let collector = GarbageCollector(client: client)
            do {
                let found = remove ? try await collector.collect(all: all, now: now) : try await collector.leftovers(all: all, now: now)
                items += found.map { Leftover(kind: $0.kind, id: $0.id, name: "\(name)/\($0.name)", run: $0.run, role: $0.role, reason: $0.reason) }
            } catch {
                unreachable.append(name)
            }
        }
        return (items, unreachable)
    }
}
