import ArgumentParser
import Foundation
import Inference

/// `forager serve`: the engine behind an OpenAI-compatible HTTP endpoint.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over OpenAI-compatible /v1/completions and /v1/chat/completions (streaming too)."
    )
    @OptionGroup var options: ModelOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @Option(help: "Context length in tokens.") var contextLength = 4096
    @Option(help: "Require `Authorization: Bearer KEY` on /v1 routes (default: FORAGER_SERVE_API_KEY when set).")
    var apiKey: String?

    func run() async throws {
        let path = try ModelLocator.resolve(options.model)
        let model = try Model.load(path: path)
        let name = ["default": "qwen2.5-coder-1.5b-instruct", "tiny": "smollm2-135m-instruct"][options.model] ?? URL(fileURLWithPath: path).lastPathComponent
        let server = OpenAIServer(model: model, modelName: name, contextLength: contextLength, threads: options.threads,
                                  apiKey: apiKey ?? ProcessInfo.processInfo.environment["FORAGER_SERVE_API_KEY"])
        try server.bind(host: host, port: port)
        FileHandle.standardError.write(Data("forager serve: \(name) on http://\(host):\(server.port)/v1\n".utf8))
        let thread = Thread { server.serve() }
        thread.start()
        while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }
}
