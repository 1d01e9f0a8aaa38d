import Agent
import Foundation
import Inference
import Testing

/// The tiny model (SmolLM2-135M), loaded once.
let smolModel: Model = {
    do { return try Model.load(path: try ModelLocator.resolve("tiny")) } catch { fatalError("the tiny model: \(error)") }
}()

@Suite("In-process model backend", .serialized)
struct InferenceModelTests {
    func request(_ format: any Agent.ChatFormat, maxTokens: Int) -> ModelRequest {
        let context = format.beginning + format.encode(ChatMessage(.user, "Say hello.")) + format.generationPrefix("")
        return ModelRequest(instanceID: "x", attempt: 1, turnIndex: 0, context: context, maxTokens: maxTokens)
    }

    @Test("Generates a ChatML turn with SmolLM2 on its own queue, cut at maxTokens or after the stop token")
    func generates() async throws {
        let model = InferenceModel(model: smolModel, format: chatML, sampling: .greedy, contextLength: 512, threads: 1)
        let action = try await model.nextAction(request(chatML, maxTokens: 8))
        #expect(action.tokens.count <= 8 && !action.tokens.isEmpty)
        #expect(action.text == chatML.decode(action.endedOnStop ? Array(action.tokens.dropLast()) : action.tokens))
        #expect(action.promptTokens == request(chatML, maxTokens: 8).context.count)
        // Greedy decoding is reproducible.
        #expect(try await model.nextAction(request(chatML, maxTokens: 8)) .tokens == action.tokens)
    }

    @Test("Cancelling the awaiting task stops a long generation")
    func cancellation() async throws {
        let model = InferenceModel(model: smolModel, format: chatML, sampling: SamplingParameters(temperature: 1, seed: 3),
                                   contextLength: 4096, threads: 1)
        let generation = Task { try await model.nextAction(request(chatML, maxTokens: 3000)) }
        try await Task.sleep(for: .milliseconds(200))
        generation.cancel()
        await #expect(throws: CancellationError.self) { _ = try await generation.value }
    }

    @Test("CWM markers SmolLM2 lacks cannot be fed to the engine: a clear error")
    func virtualMarkersRejected() async {
        let model = InferenceModel(model: smolModel, format: cwm, sampling: .greedy, contextLength: 512, threads: 1)
        await #expect(throws: InferenceModel.UnsupportedContext.self) { _ = try await model.nextAction(request(cwm, maxTokens: 4)) }
    }
}
