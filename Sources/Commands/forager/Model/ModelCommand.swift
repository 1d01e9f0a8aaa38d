import Agent
import ArgumentParser
import Foundation
import Inference

/// `forager model …`: inspect, tokenize with, run and time the in-process engine.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Inspect, tokenize with, run and benchmark a model in the in-process engine.",
        subcommands: [ModelInfoCommand.self, ModelTokenizeCommand.self, ModelGenerateCommand.self, ModelBenchCommand.self]
    )
}

struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A GGUF file, a Hugging Face checkpoint folder, `default` (Qwen2.5-Coder-1.5B-Instruct) or `tiny` (SmolLM2-135M-Instruct), installed by Scripts/fetch-model.")
    var model: String = "default"

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func load() throws -> Model {
        try Model.load(path: try ModelLocator.resolve(model))
    }
}

struct ModelInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print a model's architecture, tensor types and metadata.")
    @OptionGroup var options: ModelOptions
    @Flag(help: "Also print every metadata key.") var metadata = false

    func run() async throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let m = try options.load()
        let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        let c = m.config
        print("path:            \(m.path)")
        print("architecture:    \(c.architecture)")
        print("layers:          \(c.layerCount)")
        print("embedding:       \(c.embeddingLength)")
        print("heads:           \(c.headCount) (kv \(c.kvHeadCount), head dim \(c.headDim))")
        print("feed-forward:    \(c.feedForwardLength)")
        print("vocabulary:      \(c.vocabularySize)")
        print("context:         \(c.contextLength)")
        print("rope theta:      \(c.ropeTheta)\(c.ropeScaling != nil ? " (llama3 scaling)" : "")")
        let windows = c.layerWindows.map { $0.map(String.init) ?? "global" }
        if c.layerWindows.contains(where: { $0 != nil }) { print("attention:       \(windows.joined(separator: " "))") }
        print("tensor types:    \(m.tensorTypes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))")
        print(String(format: "weights:         %.1f MiB", Double(m.weightBytes) / 1_048_576))
        print("tokenizer:       \(m.tokenizer.preTokenizer.rawValue) pre-tokenizer, \(m.tokenizer.count) tokens, \(m.tokenizer.specialTokens.count) special")
        print("stop tokens:     \(m.tokenizer.stopIds.sorted().map { "\($0) \(m.tokenizer.piece($0).debugDescription)" }.joined(separator: ", "))")
        print(String(format: "load:            %.1f ms", ms))
        if metadata { for (k, v) in m.metadata { print("  \(k) = \(v)") } }
    }
}

struct ModelTokenizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Print the token ids of a text (or of standard input).")
    @OptionGroup var options: ModelOptions
    @Flag(help: "Turn special-token text (e.g. <|im_start|>) into special tokens.") var special = false
    @Flag(help: "Print one token per line with its text.") var pieces = false
    @Argument(help: "Text to tokenize; standard input when omitted.") var text: String?

    func run() async throws {
        let m = try options.load()
        let input = text ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        let ids = m.tokenizer.encode(input, parseSpecial: special)
        if pieces {
            for id in ids { print("\(id)\t\(m.tokenizer.piece(id).debugDescription)") }
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }
}

struct ModelGenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Continue a prompt, streaming the text to standard output.")
    @OptionGroup var options: ModelOptions
    @Option(help: "Tokens to generate at most.") var maxTokens = 256
    @Option(help: "0 is greedy.") var temperature: Float = 0
    @Option(help: "Nucleus sampling threshold.") var topP: Float = 1
    @Option(help: "Keep only the k most likely tokens (0: all).") var topK = 0
    @Option(help: "Random seed for sampling.") var seed: UInt64 = 0
    @Option(help: "Context length in tokens.") var contextLength = 4096
    @Option(help: "Also stop at this text (repeatable).") var stop: [String] = []
    @Flag(help: "Send the prompt as-is instead of as a user message in the model's chat format.") var raw = false
    @Flag(help: "Print timing to standard error.") var verbose = false
    @Argument(help: "The prompt; standard input when omitted.") var prompt: String?

    func run() async throws {
        let m = try options.load()
        let text = prompt ?? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        let ids = raw ? m.tokenizer.encodePrompt(text, parseSpecial: true) : chatFormat(for: m.tokenizer).prompt([ChatMessage(.user, text)]).tokens
        let session = Session(model: m, contextLength: contextLength, threads: options.threads)
        let opts = GenerationOptions(maxTokens: maxTokens,
                                     sampling: .init(temperature: temperature, topK: topK, topP: topP, seed: seed),
                                     stopStrings: stop)
        let out = FileHandle.standardOutput
        let r = try session.generate(prompt: ids, options: opts) { chunk in
            out.write(Data(chunk.utf8))
            return true
        }
        if !r.text.hasSuffix("\n") { out.write(Data("\n".utf8)) }
        if verbose {
            let msg = String(format: "prompt %d tokens in %.3f s (%.1f tok/s), generated %d tokens in %.3f s (%.1f tok/s), stop: %@\n",
                             r.promptTokens, r.prefillSeconds, Double(r.prefilledTokens) / max(r.prefillSeconds, 1e-9),
                             r.tokens.count, r.decodeSeconds, Double(max(r.tokens.count - 1, 0)) / max(r.decodeSeconds, 1e-9), r.stopReason.rawValue)
            FileHandle.standardError.write(Data(msg.utf8))
        }
    }
}

struct ModelBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure load time, prefill and decode speed, and resident memory.")
    @OptionGroup var options: ModelOptions
    @Option(help: "Prompt tokens to prefill.") var promptTokens = 512
    @Option(help: "Tokens to generate.") var genTokens = 128
    @Option(help: "Timed repetitions (the best is reported).") var repetitions = 3
    @Option(help: "Sequences decoded together for the batched figure (continuous batching), each with its own KV cache.") var batch = 4
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let r = try EngineBenchmark.run(modelSpec: options.model, threads: options.threads ?? 2,
                                        promptTokens: promptTokens, genTokens: genTokens, repetitions: repetitions, batch: batch)
        if json {
            let data = try JSONSerialization.data(withJSONObject: r.dictionary, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "load %.1f ms, prefill %d tokens: %.1f tok/s, decode %d tokens: %.1f tok/s, RSS %.1f MiB (model file %.1f MiB, KV cache %.1f MiB), %d threads, %@ kernels; %d sequences decoded together: %.1f tok/s (%.2f× one)",
                         r.loadMilliseconds, promptTokens, r.prefillTokensPerSecond, genTokens, r.decodeTokensPerSecond,
                         r.rssMiB, r.modelFileMiB, r.kvCacheMiB, r.threads, r.kernels, r.batchSize, r.batchDecodeTokensPerSecond,
                         r.decodeTokensPerSecond > 0 ? r.batchDecodeTokensPerSecond / r.decodeTokensPerSecond : 0))
        }
    }
}
