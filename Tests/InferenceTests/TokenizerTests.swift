import Foundation
import Testing
@testable import Inference

@Suite struct TokenizerTests {
    struct Case { let text: String; let ids: [Int] }

    static func cases(_ key: String) throws -> [Case] {
        let root = try Fixtures.json("tokenizer-smollm2.json") as! [String: Any]
        return (root[key] as! [[String: Any]]).map { Case(text: $0["text"] as! String, ids: $0["ids"] as! [Int]) }
    }

    /// Ids from llama.cpp's tokenizer (llama-cpp-python) for 241 strings, ordinary encoding.
    @Test func ordinaryEncodingMatchesLlamaCpp() throws {
        let tok = try Fixtures.tinyModel().tokenizer
        let cases = try Self.cases("ordinary")
        #expect(cases.count >= 200)
        var failures = 0
        for c in cases {
            let got = tok.encode(c.text)
            if got != c.ids {
                failures += 1
                Issue.record("\(c.text.debugDescription): got \(got), llama.cpp \(c.ids)")
            }
            #expect(!got.contains { tok.isSpecial[$0] }, "ordinary encoding yielded a special token for \(c.text.debugDescription)")
        }
        #expect(failures == 0)
    }

    @Test func specialParsingMatchesLlamaCpp() throws {
        let tok = try Fixtures.tinyModel().tokenizer
        for c in try Self.cases("parse_special") {
            #expect(tok.encode(c.text, parseSpecial: true) == c.ids, "\(c.text.debugDescription)")
        }
    }

    @Test func decodeRoundTrips() throws {
        let tok = try Fixtures.tinyModel().tokenizer
        for c in try Self.cases("ordinary") {
            #expect(tok.decode(c.ids) == c.text)
        }
    }

    @Test func streamerHoldsBackPartialUTF8() {
        var s = TextStreamer()
        let bytes = Array("é😀".utf8)
        var text = ""
        for b in bytes { text += s.push([b]) }
        text += s.flush()
        #expect(text == "é😀")
        var s2 = TextStreamer()
        #expect(s2.push(Array(bytes[0..<3])) == "é")
    }

    /// Long words take the heap-based merge path; it must agree with the quadratic one, and a
    /// pathological 200k-character word must not take quadratic time.
    @Test func longWordsMergeTheSameAndFast() throws {
        let tok = try Fixtures.tinyModel().tokenizer
        for c in try Self.cases("ordinary") where c.text.utf8.count > 24 {
            #expect(tok.encode(c.text) == c.ids)
        }
        let word = String(repeating: "abcdefghij", count: 20_000)
        let start = Date()
        let ids = tok.encode(word)
        #expect(tok.decode(ids) == word)
        #expect(Date().timeIntervalSince(start) < 20)
    }

    @Test func cwmChunkingSplitsLongText() throws {
        let model = try Fixtures.tinyModel()
        let tok = model.tokenizer
        let old = tok.chunkCharacters
        defer { tok.chunkCharacters = old }
        tok.chunkCharacters = 10
        // "aaaaaaaaaaaaaaaaaaaa" (20) is encoded as two independent 10-character chunks.
        let ten = tok.encode(String(repeating: "a", count: 10))
        tok.chunkCharacters = 10
        #expect(tok.encode(String(repeating: "a", count: 20)) == ten + ten)
    }
}

@Suite struct PreTokenizerTests {
    func words(_ p: PreTokenizer, _ s: String) -> [String] {
        let c = Array(s.unicodeScalars)
        return p.split(c).map { r in String(String.UnicodeScalarView(c[r])) }
    }

    @Test func llama3SplitsAsTheRegexDoes() {
        #expect(words(.llama3, "Hello world") == ["Hello", " world"])
        #expect(words(.llama3, "12345") == ["123", "45"])
        #expect(words(.llama3, "I'M here") == ["I", "'M", " here"])
        #expect(words(.llama3, "a  \n\n b") == ["a", "  \n\n", " b"])
        #expect(words(.llama3, "x = 1;\n") == ["x", " =", " ", "1", ";\n"])
        #expect(words(.llama3, "   x") == ["  ", " x"])
        #expect(words(.llama3, "$var") == ["$var"])
    }

    @Test func smollmSplitsDigits() {
        #expect(words(.smollm, "abc 123") == ["abc", " ", "1", "2", "3"])
        #expect(words(.gpt2, "abc 123") == ["abc", " 123"])
    }
}
