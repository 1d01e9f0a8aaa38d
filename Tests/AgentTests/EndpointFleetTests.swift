import Agent
import Foundation
import Inference
import ModelServer
import Testing
import TestSupport

/// `--endpoint` given several times: two real servers of the tiny model on 127.0.0.1, one stopped
/// in the middle, and a port where nothing listens.
@Suite("Endpoint fleet", .serialized)
struct EndpointFleetTests {
    static func startServer() async throws -> RunningModelServer {
        try await RunningModelServer.start(ModelServer(model: EndpointModelTests.model, modelName: "smollm2", contextLength: 1024, threads: 1))
    }

    static func member(_ url: String) throws -> EndpointModel {
        try EndpointModel(config: EndpointConfig(baseURL: url, modelName: "smollm2", temperature: 0, requestTimeout: .seconds(60),
                                                 maxRetries: 0, initialBackoff: .milliseconds(50)),
                          format: chatML, tokenCountsAreEstimates: false)
    }

    func request(_ turn: Int) -> ModelRequest {
        let user = ChatMessage(.user, "Count to \(turn + 2).")
        let context = chatML.beginning + chatML.encode(user) + chatML.generationPrefix("")
        return ModelRequest(instanceID: "fleet", attempt: 1, turnIndex: turn, context: context, maxTokens: 4, messages: [user])
    }

    @Test("turns spread over the endpoints by outstanding requests; a stopped one is left out and its turns go to the other")
    func spreadsAndFailsOver() async throws {
        let a = try await Self.startServer(), b = try await Self.startServer()
        let urls = ["http://127.0.0.1:\(a.port)", "http://127.0.0.1:\(b.port)"]
        let fleet = EndpointFleet(models: try urls.map(Self.member), endpoints: urls, cooldown: .seconds(60))

        // Four turns at once: two outstanding on each.
        let served = try await withThrowingTaskGroup(of: String?.self) { group in
            for turn in 0..<4 { group.addTask { try await fleet.nextAction(request(turn)).servedBy } }
            var out: [String?] = []
            for try await s in group { out.append(s) }
            return out
        }
        #expect(served.filter { $0 == urls[0] }.count == 2 && served.filter { $0 == urls[1] }.count == 2, "\(served)")

        // One server goes away: every later turn is served by the other, none fails.
        await a.stop()
        for turn in 4..<8 {
            let action = try await fleet.nextAction(request(turn))
            #expect(action.servedBy == urls[1])
            #expect(!action.tokens.isEmpty)
        }
        let counts = await fleet.counts()
        #expect(counts[0].served == 2 && counts[0].failed == 1, "the stopped endpoint is tried once, then left out for its cooldown")
        #expect(counts[1].served == 6)
        await b.stop()
    }

    @Test("a failing endpoint is tried again after its cooldown; when all fail the error names them")
    func cooldownAndAllDown() async throws {
        let b = try await Self.startServer()
        let dead = "http://127.0.0.1:\(try FreePort.next())"
        let live = "http://127.0.0.1:\(b.port)"
        let fleet = EndpointFleet(models: [try Self.member(dead), try Self.member(live)], endpoints: [dead, live], cooldown: .milliseconds(300))
        #expect(try await fleet.nextAction(request(0)).servedBy == live)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await fleet.nextAction(request(1)).servedBy == live)
        let counts = await fleet.counts()
        #expect(counts[0].failed == 2, "after its cooldown the dead endpoint is tried again")
        #expect(counts[1].served == 2)

        let nothing = EndpointFleet(models: [try Self.member(dead)], endpoints: [dead], cooldown: .milliseconds(100), patience: .milliseconds(500))
        await #expect(throws: FleetError.self) { _ = try await nothing.nextAction(request(0)) }
        do { _ = try await nothing.nextAction(request(0)) } catch {
            #expect("\(error)".contains(dead) && "\(error)".contains("every endpoint of the fleet"))
        }
        await b.stop()
    }
}
