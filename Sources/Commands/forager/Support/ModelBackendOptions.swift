import Agent
import AgentTools
import ArgumentParser
import Foundation
import Inference
import Replay

/// Which model drives the agent, shared by every command that runs episodes: the in-process
/// engine (`--model`), an OpenAI-compatible server (`--endpoint` and `--model-name`), or a
/// scripted agent (`--scripted`).
struct ModelBackendOptions: ParsableArguments {
    @Option(help: "A GGUF file, a Hugging Face checkpoint folder, `default` (the embedded Qwen2.5-Coder-1.5B-Instruct) or `tiny` (SmolLM2-135M-Instruct, fast). With --endpoint: only its tokenizer is used, to count tokens exactly.")
    var model: String?

    @Option(help: "A scripted agent: JSONL lines {\"instance_id\": ID, \"turns\": [TEXT, …]}. With --model: that model's tokenizer counts the tokens (default: the default model's).")
    var scripted: String?

    @Option(help: "An OpenAI-compatible server, e.g. http://127.0.0.1:8080 (the /v1 routes). The API key comes from FORAGER_API_KEY or OPENAI_API_KEY. Repeatable: several servers of the same model form a fleet (each turn to the one with the fewest requests outstanding; a failing one is taken out for --endpoint-cooldown).")
    var endpoint: [String] = []

    @Option(help: "A file of endpoints, one URL a line (# comments), added to --endpoint.")
    var endpointsFile: String?

    @Option(help: "Fleet: seconds a failing endpoint gets no turns before it is tried again.")
    var endpointCooldown: Double = 30

    @Option(help: "The model name the endpoint serves (the requests' `model`).")
    var modelName: String?

    @Option(help: "completions: /v1/completions with CWM's raw prompt (exact); chat: /v1/chat/completions with messages (the server's template).")
    var endpointAPI: EndpointConfig.API = .completions

    @Option(help: "Seconds one endpoint request may take.")
    var endpointTimeout: Int = 900

    @Option(help: "Retries of an endpoint request after 429, 5xx, refused connections or timeouts (exponential back-off).")
    var endpointRetries: Int = 5

    @Flag(help: "In-process model: after the thinking part, generate only text that parses as one of CWM's tool calls (changes the model's distribution; recorded in the run's details).")
    var constrainTools = false

    @Flag(inversion: .prefixedNo, help: "End each model turn right after its first </tool> (after </think> in think mode), so a model that writes on after its call (a second call, an imitated <budget>) does not turn it into a format error. Default: on for a Qwen2 model in-process, off otherwise (CWM parses the whole turn). Recorded in the run's configuration.")
    var stopAfterToolCall: Bool?

    @Option(help: "Sampling temperature of the in-process model or the endpoint (default: CWM's 1.0; for a Qwen2 model in-process its own 0.7 with top-p 0.8, top-k 20; 0: greedy). Recorded in the run's details.")
    var temperature: Double?

    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold (default: 0.95, Qwen2's own 0.8 when neither flag is given; 1 when --temperature is 0).")
    var topP: Double?

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
        /// Whose additions the built-in prompts get (the in-process model's family; standard otherwise).
        var promptFamily: PromptFamily = .standard
        /// `--stop-after-tool-call`, or the prompt family's default when the flag is not given
        /// (set by `makeBackend` and `replayBackend`).
        var stopAfterToolCall = false
    }

    /// `backend` with `--stop-after-tool-call` resolved against its prompt family.
    private func endingTurns(_ backend: Backend) -> Backend {
        var chosen = backend
        chosen.stopAfterToolCall = stopAfterToolCall ?? backend.promptFamily.stopsAfterToolCall
        return chosen
    }

    /// Every endpoint given, `--endpoint`s first, then `--endpoints-file`'s lines.
    func endpoints() throws -> [String] {
        var all = endpoint
        if let endpointsFile {
            guard let text = try? String(contentsOfFile: endpointsFile, encoding: .utf8) else {
                throw ValidationError("--endpoints-file \(endpointsFile): cannot read the file")
            }
            all += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            if all.count == endpoint.count { throw ValidationError("--endpoints-file \(endpointsFile): no endpoint in it") }
        }
        return all
    }

    var usesEndpoint: Bool { !endpoint.isEmpty || endpointsFile != nil }

    func validate() throws {
        // --model beside --scripted or --endpoint only names the tokenizer (chat format and counts).
        let endpoint: String? = usesEndpoint ? "given" : nil
        let chosen = [model != nil && endpoint == nil && scripted == nil, scripted != nil, endpoint != nil].filter { $0 }.count
        guard chosen <= 1 else { throw ValidationError("Give one of --model, --scripted or --endpoint.") }
        if endpoint != nil && modelName == nil { throw ValidationError("--endpoint needs --model-name (the model the server serves).") }
        if modelName != nil && endpoint == nil { throw ValidationError("--model-name goes with --endpoint.") }
        if endpointTimeout <= 0 { throw ValidationError("--endpoint-timeout must be a positive number of seconds.") }
        if endpointRetries < 0 { throw ValidationError("--endpoint-retries cannot be negative.") }
        if endpointCooldown <= 0 { throw ValidationError("--endpoint-cooldown must be a positive number of seconds.") }
        if Set(try endpoints()).count != (try endpoints()).count { throw ValidationError("an endpoint is given twice.") }
        if constrainTools && (scripted != nil || endpoint != nil) { throw ValidationError("--constrain-tools applies to the in-process model only (not --scripted or --endpoint).") }
        if let temperature, temperature < 0 { throw ValidationError("--temperature cannot be negative.") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1].") }
    }

    /// The model outputs a stored run recorded, played back per instance (`--replay-run`), in
    /// the chat format of `--model`'s tokenizer.
    func replayBackend(run: String, db: String) async throws -> Backend {
        let format = try tokenizerModel().format
        let source = try await openStoreForReading(db)
        let turns = try await StoredRunTurns.load(store: source, run: run)
        return endingTurns(Backend(model: ScriptedModel(format: format, turns: turns), format: format, name: "replay:" + run,
                                   kind: "replayed", details: ["format": format.name], contextLength: nil))
    }

    /// The model whose tokenizer sets the chat format and counts tokens.
    /// Every backend needs it, for the chat format and the token counts.
    private func tokenizerModel() throws -> (path: String, loaded: Model, format: any Agent.ChatFormat) {
        let path = try ModelLocator.resolve(model ?? "default")
        let loaded = try Model.load(path: path)
        return (path, loaded, chatFormat(for: loaded.tokenizer))
    }

    /// - episode: the episode settings, for `--constrain-tools` (the tools offered and the thinking end marker).
    /// - temperature: sampling temperature of the in-process model and the endpoint, over
    ///   `--temperature` (nil and no flag: CWM's 1.0, top-p 0.95; 0: greedy).
    func makeBackend(episode: EpisodeConfig, temperature given: Double? = nil) throws -> Backend {
        endingTurns(try chooseBackend(episode: episode, temperature: given))
    }

    private func chooseBackend(episode: EpisodeConfig, temperature given: Double?) throws -> Backend {
        let temperature = given ?? self.temperature
        let (path, loaded, format) = try tokenizerModel()
        if let scripted {
            let url = URL(fileURLWithPath: scripted)
            return Backend(model: try ScriptedModel(format: format, contentsOf: url), format: format,
                           name: "scripted:" + url.lastPathComponent, kind: "scripted", details: [:], contextLength: nil)
        }
        if usesEndpoint, let modelName {
            let urls = try endpoints()
            let exact = model != nil
            // In a fleet a failing server is left for another at once: its own retries are few.
            let retries = urls.count > 1 ? min(endpointRetries, 1) : endpointRetries
            let backends = try urls.map { url in
                try EndpointModel(config: EndpointConfig(baseURL: url, modelName: modelName, api: endpointAPI,
                                                         apiKey: EndpointConfig.apiKey(), temperature: temperature ?? 1.0,
                                                         requestTimeout: .seconds(endpointTimeout), maxRetries: retries),
                                  format: format, tokenCountsAreEstimates: !exact)
            }
            let counts = exact ? "exact (\(URL(fileURLWithPath: path).lastPathComponent) tokenizer)"
                : "estimated with \(URL(fileURLWithPath: path).lastPathComponent)'s tokenizer (give --model for exact counts)"
            var details = ["endpoint": urls.joined(separator: " "), "api": endpointAPI.rawValue, "token_counts": counts, "format": format.name]
            var chosen: any LanguageModel = backends[0]
            if urls.count > 1 {
                chosen = EndpointFleet(models: backends, endpoints: urls, cooldown: .seconds(endpointCooldown))
                details["fleet"] = "\(urls.count) endpoints, fewest outstanding requests first, \(endpointCooldown) s cooldown; each step records the endpoint that served it"
            }
            return Backend(model: chosen, format: format, name: modelName, kind: "endpoint", details: details, contextLength: nil)
        }
        let family = PromptFamily(architecture: loaded.config.architecture)
        let constraint = constrainTools
            ? ToolCallConstraint(toolNames: ToolSpecs.names(plugins: episode.plugins), thinkingEnd: episode.thinkingEnd) : nil
        var details = ["token_counts": "exact", "format": format.name, "prompt_family": family.rawValue,
                       "constrain_tools": constrainTools ? "on" : "off"]
        if let constraint { details["constrained_tools"] = constraint.toolNames.joined(separator: ",") }
        // The family's sampling unless the flags say otherwise (greedy: no nucleus, no top-k).
        let preset = family.defaultSampling
        let chosenTemperature = temperature ?? preset.temperature
        let chosenTopP = topP ?? (chosenTemperature == 0 ? 1 : temperature == nil ? preset.topP : 0.95)
        let chosenTopK = temperature == nil && topP == nil ? preset.topK : 0
        let sampling = SamplingParameters(temperature: Float(chosenTemperature), topK: chosenTopK, topP: Float(chosenTopP))
        details["temperature"] = String(chosenTemperature)
        details["top_p"] = String(chosenTopP)
        if chosenTopK > 0 { details["top_k"] = String(chosenTopK) }
        return Backend(model: InferenceModel(model: loaded, format: format, sampling: sampling, constraint: constraint), format: format,
                       name: URL(fileURLWithPath: path).lastPathComponent, kind: "in-process",
                       details: details, contextLength: loaded.config.contextLength, promptFamily: family)
    }
}

extension EndpointConfig.API: ExpressibleByArgument {}
