import Foundation

/// A model that plays back the outputs recorded for one episode (`forager replay --mode model`):
/// turn N of the episode is `turns[N]`, looked up by the request's turn index, tokenized like a
/// scripted turn. Once the turns run out it answers with an empty turn.
public struct ReplayedModel: LanguageModel {
    public let format: any ChatFormat
    /// The recorded action texts in turn order.
    public let turns: [String]

    public init(format: any ChatFormat, turns: [String]) {
        self.format = format
        self.turns = turns
    }

    public func nextAction(_ request: ModelRequest) async throws -> ModelAction {
        try Task.checkCancellation()
        let text = request.turnIndex < turns.count ? turns[request.turnIndex] : ""
        return ModelAction.playedBack(text, format: format, request: request)
    }
}
