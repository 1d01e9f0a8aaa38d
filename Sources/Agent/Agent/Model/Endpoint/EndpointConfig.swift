import Foundation

/// How to reach an OpenAI-compatible server and what to ask it for.
public struct EndpointConfig: Sendable, CustomStringConvertible {
    /// Which route the turns go through.
    public enum API: String, Sendable, CaseIterable {
        /// `/v1/completions` with the episode's context as one raw prompt in the chat format's
        /// text: the model sees exactly what CWM's environment builds.
        case completions
        /// `/v1/chat/completions` with the episode as messages; the server applies its own template.
        case chat
    }

    /// The server's base URL, e.g. `http://127.0.0.1:8080` or `http://host:8000/v1`.
    public var baseURL: String
    /// The model name the server knows (the request's `model`).
    public var modelName: String
    public var api: API
    /// Sent as `Authorization: Bearer …`; never printed, logged or stored.
    public var apiKey: String?
    public var stream: Bool
    public var temperature: Double
    public var topP: Double
    /// Limit for one whole request; a stalled stream fails sooner (`idleTimeout`).
    public var requestTimeout: Duration
    public var idleTimeout: Duration
    public var connectTimeout: Duration
    /// Tries after the first for 429, 5xx, refused connections and timeouts.
    public var maxRetries: Int
    /// The first back-off; it doubles each retry up to `maxBackoff` (a `Retry-After` wins).
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(baseURL: String, modelName: String, api: API = .completions, apiKey: String? = nil, stream: Bool = true,
                temperature: Double = 1.0, topP: Double = 0.95, requestTimeout: Duration = .seconds(900),
                idleTimeout: Duration = .seconds(120), connectTimeout: Duration = .seconds(10), maxRetries: Int = 5,
                initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(30)) {
        self.baseURL = baseURL
        self.modelName = modelName
        self.api = api
        self.apiKey = apiKey
        self.stream = stream
        self.temperature = temperature
        self.topP = topP
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.maxRetries = max(0, maxRetries)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The API key from `FORAGER_API_KEY`, else `OPENAI_API_KEY`; empty values count as unset.
    public static func apiKey(from environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for name in ["FORAGER_API_KEY", "OPENAI_API_KEY"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// `scheme://authority` and the path prefix the routes go under (`/v1` unless the URL names it).
    func split() throws(EndpointError) -> (origin: String, prefix: String) {
        guard let components = URLComponents(string: baseURL), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw .invalidURL("--endpoint \(baseURL): expected http://HOST:PORT or https://HOST[/v1]")
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        if !path.hasSuffix("/v1") { path += "/v1" }
        return ("\(scheme)://\(hostPart)\(port)", path)
    }

    /// What a log or a database may show: no key.
    public var description: String {
        "\(api.rawValue) endpoint \(baseURL) model \(modelName)\(apiKey == nil ? "" : " (API key set)")"
    }
}

/// Why the endpoint gave no turn, in words that say what to check.
public enum EndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    /// The server answered with a status that retrying will not fix (400, 401, 404, …).
    case rejected(status: Int, message: String)
    /// Retries ran out on 429, 5xx or a connection problem.
    case unavailable(attempts: Int, last: String)
    /// The answer was not the OpenAI shape.
    case malformed(String)

    public var description: String {
        switch self {
        case .invalidURL(let m): m
        case .rejected(let status, let message):
            "the endpoint refused the request (\(status)): \(message)"
                + (status == 401 || status == 403 ? "; check FORAGER_API_KEY or OPENAI_API_KEY" : "")
                + (status == 404 ? "; check --endpoint and --model-name" : "")
        case .unavailable(let attempts, let last): "the endpoint failed \(attempts) times; last: \(last)"
        case .malformed(let m): "the endpoint's answer is not OpenAI-shaped: \(m)"
        }
    }
}
