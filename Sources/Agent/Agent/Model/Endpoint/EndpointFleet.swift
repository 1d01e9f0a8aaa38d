import Foundation

/// Several OpenAI-compatible servers of the same model as one backend (`--endpoint` given more
/// than once). Each turn goes to the healthy endpoint with the fewest requests outstanding (ties:
/// the one used least recently). An endpoint that fails (connection refused, 5xx or 429 after its
/// own retries, a timeout) is taken out for `cooldown` and the turn goes to the next one; once its
/// cooldown has passed it gets turns again, and a success puts it back for good. A refusal that
/// another server would give too (400, 401, 404: `EndpointError.rejected`) is not retried
/// elsewhere. When every endpoint is out, the turn waits for the first to come back, up to
/// `patience`. The action records which endpoint served it (`ModelAction.servedBy`).
public final class EndpointFleet: LanguageModel, Sendable {
    public let endpoints: [String]
    private let models: [EndpointModel]
    private let state: FleetState
    public let cooldown: Duration
    public let patience: Duration

    /// - models: one per endpoint, in the order given; `endpoints` are their display names.
    public init(models: [EndpointModel], endpoints: [String], cooldown: Duration = .seconds(30), patience: Duration = .seconds(600)) {
        precondition(models.count == endpoints.count && !models.isEmpty, "a fleet needs one name per endpoint model")
        self.models = models
        self.endpoints = endpoints
        self.cooldown = cooldown
        self.patience = patience
        state = FleetState(count: models.count)
    }

    /// Turns served and failures per endpoint so far.
    public func counts() async -> [(endpoint: String, served: Int, failed: Int)] {
        let snapshot = await state.snapshot()
        return endpoints.indices.map { (endpoints[$0], snapshot.served[$0], snapshot.failed[$0]) }
    }

    public func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        let started = ContinuousClock.now
        var lastError: (any Error)?
        while true {
            try Task.checkCancellation()
            switch await state.acquire(now: .now) {
            case .use(let i):
                do {
                    var action = try await models[i].nextAction(request)
                    await state.release(i, .served, now: .now, cooldown: cooldown)
                    action.servedBy = endpoints[i]
                    return action
                } catch let error as EndpointError {
                    if case .rejected = error {
                        await state.release(i, .neither, now: .now, cooldown: cooldown)
                        throw FleetError.rejected(endpoint: endpoints[i], error)
                    }
                    await state.release(i, .failed, now: .now, cooldown: cooldown)
                    lastError = error
                } catch {
                    await state.release(i, .neither, now: .now, cooldown: cooldown)
                    throw error
                }
            case .wait(let until):
                guard ContinuousClock.now - started < patience else {
                    throw FleetError.allDown(endpoints: endpoints, last: lastError.map { "\($0)" } ?? "none answered")
                }
                try await Task.sleep(until: min(until, started + patience), clock: .continuous)
            }
        }
    }
}

public enum FleetError: Error, Sendable, CustomStringConvertible {
    case rejected(endpoint: String, EndpointError)
    case allDown(endpoints: [String], last: String)

    public var description: String {
        switch self {
        case .rejected(let endpoint, let error): "\(endpoint): \(error)"
        case .allDown(let endpoints, let last):
            "every endpoint of the fleet (\(endpoints.joined(separator: ", "))) is failing; last error: \(last)"
        }
    }
}

/// Outstanding requests, cooldowns and counts of a fleet's endpoints.
private actor FleetState {
    enum Choice { case use(Int), wait(until: ContinuousClock.Instant) }
    /// How a request ended: served, failed (the endpoint goes out for a while), or neither
    /// (cancelled, or refused as any server would refuse it).
    enum Outcome { case served, failed, neither }

    var outstanding: [Int]
    var downUntil: [ContinuousClock.Instant?]
    var lastUsed: [Int]
    var served: [Int]
    var failed: [Int]
    var clock = 0

    init(count: Int) {
        outstanding = Array(repeating: 0, count: count)
        downUntil = Array(repeating: nil, count: count)
        lastUsed = Array(repeating: -1, count: count)
        served = Array(repeating: 0, count: count)
        failed = Array(repeating: 0, count: count)
    }

    func acquire(now: ContinuousClock.Instant) -> Choice {
        let healthy = outstanding.indices.filter { downUntil[$0].map { $0 <= now } ?? true }
        guard let best = healthy.min(by: { (outstanding[$0], lastUsed[$0]) < (outstanding[$1], lastUsed[$1]) }) else {
            return .wait(until: downUntil.compactMap { $0 }.min() ?? now)
        }
        outstanding[best] += 1
        clock += 1
        lastUsed[best] = clock
        return .use(best)
    }

    func release(_ i: Int, _ outcome: Outcome, now: ContinuousClock.Instant, cooldown: Duration) {
        outstanding[i] -= 1
        switch outcome {
        case .failed:
            failed[i] += 1
            downUntil[i] = now + cooldown
        case .served:
            served[i] += 1
            downUntil[i] = nil
        case .neither:
            break
        }
    }

    func snapshot() -> (served: [Int], failed: [Int]) { (served, failed) }
}
