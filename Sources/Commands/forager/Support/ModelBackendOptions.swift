import Agent
import ArgumentParser
import Foundation
import Inference
import Replay

/// Which model drives the agent, shared by every command that runs episodes: the in-process
/// engine (`--model`), an OpenAI-compatible server (`--endpoint` and `--model-name`), or a
/// scripted agent (`--scripted`).
struct ModelBackendOptions: ParsableArguments {
    @Option(help: "A GGUF file, a Hugging Face checkpoint folder, or `default` (the embedded SmolLM2-135M-Instruct). With --endpoint: only its tokenizer is used, to count tokens exactly.")
    var model: String?

    @Option(help: "A scripted agent: JSONL lines {\"instance_id\": ID, \"turns\": [TEXT, …]}.")
    var scripted: String?

    @Option(help: "An OpenAI-compatible server, e.g. http://127.0.0.1:8080 (the /v1 routes). The API key comes from FORAGER_API_KEY or OPENAI_API_KEY.")
    var endpoint: String?

    @Option(help: "The model name the endpoint serves (the requests' `model`).")
    var modelName: String?

    @Option(help: "completions: /v1/completions with CWM's raw prompt (exact); chat: /v1/chat/completions with messages (the server's template).")
    var endpointAPI: EndpointConfig.API = .completions

    @Option(help: "Seconds one endpoint request may take.")
    var endpointTimeout: Int = 900

    @Option(help: "Retries of an endpoint request after 429, 5xx, refused connections or timeouts (exponential back-off).")
    var endpointRetries: Int = 5

    /// The backend, ready to run episodes.
    struct Backend {
        var model: any LanguageModel
        var format: any Agent.ChatFormat
        /// Stored with the run: the file name, the script, or the endpoint's model name.
        var name: String
        var kind: String
        var details: [String: String]
        /// The engine's window for the in-process model, nil when the backend sets none.
        var contextLength: Int?
    }

    func validate() throws {
        let chosen = [model != nil && endpoint == nil, scripted != nil, endpoint != nil].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("Give one of --model, --scripted or --endpoint.") }
        if endpoint != nil && modelName == nil { throw ValidationError("--endpoint needs --model-name (the model the server serves).") }
        if modelName != nil && endpoint == nil { throw ValidationError("--model-name goes with --endpoint.") }
        if endpointTimeout <= 0 { throw ValidationError("--endpoint-timeout must be a positive number of seconds.") }
        if endpointRetries < 0 { throw ValidationError("--endpoint-retries cannot be negative.") }
    }

    /// The model outputs a stored run recorded, played back per instance (`--replay-run`), in
    /// the chat format of `--model`'s tokenizer.
    func replayBackend(run: String, db: String) async throws -> Backend {
        let format = try tokenizerModel().format
        let source = try await openStoreForReading(db)
        let turns = try await StoredRunTurns.load(store: source, run: run)
        return Backend(model: ScriptedModel(format: format, turns: turns), format: format, name: "replay:" + run,
                       kind: "replayed", details: ["format": format.name], contextLength: nil)
    }

    /// The model whose tokenizer sets the chat format and counts tokens.
    /// Every backend needs it, for the chat format and the token counts.
    private func tokenizerModel() throws -> (path: String, loaded: Model, format: any Agent.ChatFormat) {
        let path = try ModelLocator.resolve(model ?? "default")
        let loaded = try Model.load(path: path)
        return (path, loaded, chatFormat(for: loaded.tokenizer))
    }

    func makeBackend() throws -> Backend {
        let (path, loaded, format) = try tokenizerModel()
        if let scripted {
            let url = URL(fileURLWithPath: scripted)
            return Backend(model: try ScriptedModel(format: format, contentsOf: url), format: format,
                           name: "scripted:" + url.lastPathComponent, kind: "scripted", details: [:], contextLength: nil)
        }
        if let endpoint, let modelName {
            let exact = model != nil
            let config = EndpointConfig(baseURL: endpoint, modelName: modelName, api: endpointAPI,
                                        apiKey: EndpointConfig.apiKey(), requestTimeout: .seconds(endpointTimeout),
                                        maxRetries: endpointRetries)
            let backend = try EndpointModel(config: config, format: format, tokenCountsAreEstimates: !exact)
            let counts = exact ? "exact (\(URL(fileURLWithPath: path).lastPathComponent) tokenizer)"
                : "estimated with \(URL(fileURLWithPath: path).lastPathComponent)'s tokenizer (give --model for exact counts)"
            return Backend(model: backend, format: format, name: modelName, kind: "endpoint",
                           details: ["endpoint": endpoint, "api": endpointAPI.rawValue, "token_counts": counts, "format": format.name],
                           contextLength: nil)
        }
        return Backend(model: InferenceModel(model: loaded, format: format), format: format,
                       name: URL(fileURLWithPath: path).lastPathComponent, kind: "in-process",
                       details: ["token_counts": "exact", "format": format.name], contextLength: loaded.config.contextLength)
    }
}

extension EndpointConfig.API: ExpressibleByArgument {}
