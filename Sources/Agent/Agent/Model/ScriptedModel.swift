import Foundation

/// A model that plays back fixed turns per task, for tests and demos.
///
/// The script is JSON Lines, `{"instance_id": ID, "turns": [TEXT, …]}`: each TEXT is one whole
/// assistant turn (what follows the assistant prefix). A turn is tokenized with the format, a
/// stop token is appended, and it is cut at `maxTokens` like a real generation (then it does not
/// end on a stop token). Once the turns run out the model answers with an empty turn. Turns are
/// looked up by the request's turn index, so a restarted episode plays the same turns again.
public struct ScriptedModel: LanguageModel {
    public struct ScriptError: Error, CustomStringConvertible {
        public let description: String
    }

    public let format: any ChatFormat
    public let turnsByInstance: [String: [String]]

    public init(format: any ChatFormat, turns: [String: [String]]) {
        self.format = format
        turnsByInstance = turns
    }

    /// Reads a JSONL script. Errors name the source and line.
    public init(format: any ChatFormat, jsonl: String, source: String = "script") throws {
        struct Line: Decodable {
            let instance_id: String
            let turns: [String]
        }
        var turns: [String: [String]] = [:]
        for (index, line) in jsonl.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            do {
                let decoded = try JSONDecoder().decode(Line.self, from: Data(trimmed.utf8))
                guard turns[decoded.instance_id] == nil else {
                    throw ScriptError(description: "\(source):\(index + 1): instance \(decoded.instance_id) appears twice")
                }
                turns[decoded.instance_id] = decoded.turns
            } catch let error as ScriptError {
                throw error
            } catch {
                throw ScriptError(description: "\(source):\(index + 1): not a {\"instance_id\", \"turns\"} line: \(error)")
            }
        }
        self.init(format: format, turns: turns)
    }

    public init(format: any ChatFormat, contentsOf url: URL) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ScriptError(description: "cannot read the scripted agent \(url.path): no such file or not readable")
        }
        try self.init(format: format, jsonl: String(decoding: data, as: UTF8.self), source: url.path)
    }

    /// Which of `instanceIDs` have no line in the script (they would play empty turns only).
    public func unscripted(_ instanceIDs: [String]) -> [String] {
        instanceIDs.filter { turnsByInstance[$0] == nil }
    }

    public func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        try Task.checkCancellation()
        let turns = turnsByInstance[request.instanceID] ?? []
        let text = request.turnIndex < turns.count ? turns[request.turnIndex] : ""
        return ModelAction.playedBack(text, format: format, request: request)
    }
}

extension ModelAction {
    /// A turn given as text, as if generated: tokenized with the format, its end-of-turn token
    /// appended, cut at the request's `maxTokens` (then it does not end on a stop token), then at
    /// its stop strings and after its end marker.
    static func playedBack(_ text: String, format: any ChatFormat, request: ModelRequest) -> ModelAction {
        var tokens = format.encode(text)
        if let stop = format.endOfTurnToken { tokens.append(stop) }
        if tokens.count > request.maxTokens { tokens = Array(tokens.prefix(request.maxTokens)) }
        return ModelAction.cut(tokens, format: format, promptTokens: request.context.count).cut(atFirstOf: request.stopStrings)
            .ended(at: request.endAfter, format: format)
    }
}
