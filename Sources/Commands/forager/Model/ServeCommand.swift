import ArgumentParser
import Foundation
import Inference
import ModelServer

/// `forager serve`: the engine behind an OpenAI-compatible HTTP endpoint.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over OpenAI-compatible /v1/completions and /v1/chat/completions (streaming too), concurrent requests decoded together."
    )
    @OptionGroup var options: ModelOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @Option(help: "Context length in tokens, per sequence.") var contextLength = 4096
    @Option(help: "Sequences decoded at once (continuous batching) and conversations kept, a KV cache each (llama.cpp's --parallel).")
    var parallel = 1
    @Option(help: "Require `Authorization: Bearer KEY` on /v1 routes (default: FORAGER_SERVE_API_KEY when set).")
    var apiKey: String?

    func validate() throws {
        if parallel < 1 { throw ValidationError("--parallel must be at least 1") }
        if contextLength < 16 { throw ValidationError("--context-length must be at least 16") }
    }

    func run() async throws {
        let path = try ModelLocator.resolve(options.model)
        let model = try Model.load(path: path)
        let name = ["default": "qwen2.5-coder-1.5b-instruct", "tiny": "smollm2-135m-instruct"][options.model] ?? URL(fileURLWithPath: path).lastPathComponent
        let server = ModelServer(model: model, modelName: name, contextLength: contextLength, threads: options.threads, parallel: parallel,
                                 apiKey: apiKey ?? ProcessInfo.processInfo.environment["FORAGER_SERVE_API_KEY"])
        let host = self.host, parallel = self.parallel
        try await server.run(host: host, port: port) { port in
            FileHandle.standardError.write(Data("forager serve: \(name) on http://\(host):\(port)/v1 (\(parallel) parallel)\n".utf8))
        }
    }
}
