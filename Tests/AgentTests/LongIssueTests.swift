import Foundation
import Testing
import TestSupport
@testable import Agent

/// Issue 16 case 9: the initial user prompt is cut to its tail, so a huge issue costs only what
/// is kept, and the kept text is what cutting the whole body gives.
@Suite("Long issues")
struct LongIssueTests {
    func issue(bytes: Int) -> String {
        var text = ""
        var n = 0
        while text.utf8.count < bytes {
            text += "Line \(n): the parser évalue `a ** b ** c` from the left; see frame \(n * 7 % 13).\n"
            n += 1
        }
        return text + "The end of the issue."
    }

    @Test("cutting the tail of a body much longer than is kept matches cutting the whole body")
    func sameTailAsTheWholeCut() {
        for (bytes, keep) in [(200_000, 1000), (600_000, 2000)] {
            let message = ChatMessage(.user, issue(bytes: bytes))
            let bounded = cwm.truncated(message, to: keep, side: .left)
            let whole = cwm.fullyTruncated(message, to: keep, side: .left)
            #expect(cwm.boundedLeftTruncation(message, to: keep) != nil, "the bounded path was not taken")
            #expect(bounded == whole)
            #expect(cwm.tokenCount(bounded) <= keep)
        }
    }

    @Test("a 50 MB issue is cut to 8192 tokens in seconds")
    func fiftyMegabytes() {
        let message = ChatMessage(.user, issue(bytes: 50_000_000))
        let started = ContinuousClock.now
        let cut = cwm.truncated(message, to: 8192, side: .left)
        let elapsed = ContinuousClock.now - started
        #expect(cut.body.hasPrefix("[...]") && cut.body.hasSuffix("The end of the issue."))
        #expect(cwm.tokenCount(cut) <= 8192)
        #expect(elapsed < .seconds(15), "took \(elapsed)")
    }
}
