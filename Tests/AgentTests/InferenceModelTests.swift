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

    @Test("A turn with an end marker stops at it: the marker's token kept, no end-of-turn token after it")
    func endsAfterMarker() async throws {
        let model = InferenceModel(model: smolModel, format: chatML, sampling: .greedy, contextLength: 512, threads: 1)
        let whole = try await model.nextAction(request(chatML, maxTokens: 24))
        let words = whole.text.split(whereSeparator: \.isWhitespace)
        guard words.count > 3 else { Issue.record("too short a turn to test on: \(whole.text)"); return }
        var asked = request(chatML, maxTokens: 24)
        asked.endAfter = TextEnd(marker: String(words[1]))
        let ended = try await model.nextAction(asked)
        #expect(ended.endedOnStop && whole.tokens.starts(with: ended.tokens) && ended.tokens.count < whole.tokens.count)
        #expect(ended.text == chatML.decode(ended.tokens) && ended.text.contains(words[1]))
        #expect(!chatML.stopTokens.contains(ended.tokens.last ?? -1))
    }

    @Test("Sampled turns are reproducible, and a task's K samples each sample differently")
    func samplesDiffer() async throws {
        let model = InferenceModel(model: smolModel, format: chatML, sampling: SamplingParameters(temperature: 1.0, topP: 0.95),
                                   contextLength: 512, threads: 1)
        func text(sample: Int) async throws -> [Int] {
            var r = request(chatML, maxTokens: 24)
            r.sample = sample
            return try await model.nextAction(r).tokens
        }
        let first = try await text(sample: 0)
        #expect(try await text(sample: 0) == first)
        let others = [try await text(sample: 1), try await text(sample: 2)]
        #expect(others.allSatisfy { $0 != first }, "samples 1 and 2 repeated sample 0's turn")
        #expect(others[0] != others[1])
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

    @Test("Two conversations that alternate each continue their own KV cache: a later turn runs only its new tokens")
    func alternatingConversationsKeepTheirCaches() async throws {
        let model = InferenceModel(model: smolModel, format: chatML, sampling: .greedy, contextLength: 1024, threads: 1, maxSessions: 2)
        func context(_ text: String) -> TokenizedText { chatML.beginning + chatML.encode(ChatMessage(.user, text)) + chatML.generationPrefix("") }
        func ask(_ context: TokenizedText) async throws -> ModelAction {
            try await model.nextAction(ModelRequest(instanceID: "x", attempt: 1, turnIndex: 0, context: context, maxTokens: 6))
        }
        let a = context("Name three prime numbers, please."), b = context("Write a haiku about the sea.")
        let a1 = try await ask(a), b1 = try await ask(b)
        #expect(a1.prefilledTokens == a.count && b1.prefilledTokens == b.count)
        // Each continues: its own history is cached, only the reply and the new message run.
        let more = chatML.encode(ChatMessage(.user, "And two more."))
        let a2context = a + TokenizedText(text: a1.text, tokens: a1.tokens) + chatML.observationLead(afterActionEndingWith: a1.tokens.last) + more
            + chatML.generationPrefix("")
        let a2 = try await ask(a2context)
        let new = a2context.count - a.count
        #expect((new - a1.tokens.count...new).contains(a2.prefilledTokens ?? -1), "turn 2 of A prefilled \(a2.prefilledTokens ?? -1) of \(a2context.count)")
        let b2 = try await ask(b + chatML.encode(ChatMessage(.user, "Another.")) + chatML.generationPrefix(""))
        #expect((b2.prefilledTokens ?? .max) < b.count, "B's prompt prefix was still cached")
        // A third conversation with room for two takes the least recently used session (A's).
        let c = context("Count to five.")
        #expect(try await ask(c).prefilledTokens ?? 0 > 0)
        #expect(try await ask(b + chatML.encode(ChatMessage(.user, "Another.")) + chatML.generationPrefix("")).prefilledTokens == 1,
                "B's session survived the third conversation")
    }

    @Test("Batched decoding: one forward pass over several sessions gives each the logits it would get alone")
    func decodeBatchMatchesSingleDecoding() throws {
        let prompts = ["def add(a, b):", "The capital of France is", "1, 2, 3, 4,"].map { smolModel.tokenizer.encode($0) }
        let alone = prompts.map { _ in Session(model: smolModel, contextLength: 256, threads: 1) }
        let together = prompts.map { _ in Session(model: smolModel, contextLength: 256, threads: 1) }
        var next: [Int] = []
        for (i, prompt) in prompts.enumerated() {
            let logits = try alone[i].prefill(prompt: prompt)
            _ = try together[i].prefill(prompt: prompt)
            next.append(logits.indices.max { logits[$0] < logits[$1] } ?? 0)
        }
        for _ in 0..<6 {
            let batched = try together[0].decodeBatch(together, next)
            var following: [Int] = []
            for i in prompts.indices {
                let single = try alone[i].evaluate([next[i]])
                let row = Array(batched[i])
                #expect(zip(single, row).map { abs($0 - $1) }.max() ?? 1 < 1e-4, "sequence \(i) differs")
                following.append(row.indices.max { row[$0] < row[$1] } ?? 0)
            }
            next = following
        }
        #expect(together.map { $0.tokens } == alone.map { $0.tokens })
    }

    @Test("Turns asked for at once are decoded together and come out as they would one by one")
    func concurrentTurnsMatchSequentialOnes() async throws {
        func context(_ text: String) -> TokenizedText { chatML.beginning + chatML.encode(ChatMessage(.user, text)) + chatML.generationPrefix("") }
        let contexts = [context("Name a colour."), context("Write one word about cats."), context("Say hi.")]
        func request(_ c: TokenizedText) -> ModelRequest { ModelRequest(instanceID: "x", attempt: 1, turnIndex: 0, context: c, maxTokens: 10) }
        let sequential = InferenceModel(model: smolModel, format: chatML, sampling: .greedy, contextLength: 512, threads: 1)
        var one: [[Int]] = []
        for c in contexts { one.append(try await sequential.nextAction(request(c)).tokens) }
        let batched = InferenceModel(model: smolModel, format: chatML, sampling: .greedy, contextLength: 512, threads: 1)
        let together = try await withThrowingTaskGroup(of: (Int, [Int]).self) { group in
            for (i, c) in contexts.enumerated() { group.addTask { (i, try await batched.nextAction(request(c)).tokens) } }
            var out = Array(repeating: [Int](), count: contexts.count)
            for try await (i, tokens) in group { out[i] = tokens }
            return out
        }
        #expect(together == one)
    }

    /// What the running turn A emitted between B's arrival and B's first text, and B's tokens.
    func longPromptBesideARunningTurn(prefillChunk: Int) async throws -> (aBetween: Int, b: [Int]) {
        let model = InferenceModel(model: smolModel, format: chatML, sampling: .greedy, contextLength: 2048, threads: 1,
                                   prefillChunk: prefillChunk)
        let log = EventLog()
        let endless = GenerationOptions(maxTokens: 1500, sampling: .greedy, stopIds: [])
        let a = Task { try await model.generate(prompt: smolModel.tokenizer.encode("Once upon a time"), options: endless) { _ in log.add("A") } }
        defer { a.cancel() }
        while log.count("A") < 3 { try await Task.sleep(for: .milliseconds(20)) }
        let long = smolModel.tokenizer.encode(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 110))
        #expect(long.count > 1000)
        log.add("B arrives")
        let b = try await model.generate(prompt: long, options: GenerationOptions(maxTokens: 5, sampling: .greedy)) { _ in log.add("B") }
        return (log.between("B arrives", "B", counting: "A"), b.tokens)
    }

    @Test("A long prompt is prefilled in chunks while another turn decodes: the running turn keeps going, the answer is the same")
    func chunkedPrefillKeepsOthersDecoding() async throws {
        let chunked = try await longPromptBesideARunningTurn(prefillChunk: 128)
        // About 1,000 tokens in chunks of 128: a decoding step of A after each chunk.
        #expect(chunked.aBetween >= 4, "A emitted \(chunked.aBetween) times during B's prefill")
        let whole = try await longPromptBesideARunningTurn(prefillChunk: 100_000)
        #expect(whole.aBetween <= 2, "without chunks A waits for the whole prefill (emitted \(whole.aBetween))")
        #expect(chunked.b == whole.b)
    }

    @Test("CWM markers SmolLM2 lacks cannot be fed to the engine: a clear error")
    func virtualMarkersRejected() async {
        let model = InferenceModel(model: smolModel, format: cwm, sampling: .greedy, contextLength: 512, threads: 1)
        await #expect(throws: InferenceModel.UnsupportedContext.self) { _ = try await model.nextAction(request(cwm, maxTokens: 4)) }
    }
}

/// Labels in the order they happened, from any thread.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []

    func add(_ label: String) { lock.withLock { events.append(label) } }
    func count(_ label: String) -> Int { lock.withLock { events.filter { $0 == label }.count } }

    /// How many `label`s came after the first `start` and before the first `end` after it.
    func between(_ start: String, _ end: String, counting label: String) -> Int {
        lock.withLock {
            guard let from = events.firstIndex(of: start) else { return 0 }
            let rest = events[(from + 1)...]
            let to = rest.firstIndex(of: end) ?? events.endIndex
            return events[(from + 1)..<to].filter { $0 == label }.count
        }
    }
}
