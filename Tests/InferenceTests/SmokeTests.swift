import Foundation
import Testing
@testable import Inference

@Suite struct SmokeTests {
    @Test func greedyContinuationIsText() throws {
        let model = try Fixtures.tinyModel()
        let session = Session(model: model, contextLength: 512)
        let prompt = model.tokenizer.encode("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n", parseSpecial: true)
        let r = try session.generate(prompt: prompt, options: .init(maxTokens: 24))
        print("PROMPT", prompt, "OUT", r.tokens, r.text.debugDescription)
        #expect(!r.text.isEmpty)
    }
}
