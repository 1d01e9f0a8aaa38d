import Agent
import ExecutionTraces
import Foundation
import Inference
import Testing
import TestSupport
import Trajectories

/// `forager trace predict`'s reading and scoring of predicted frames, with a scripted model that
/// writes given frames (an oracle, and one that gets locals wrong) and with the real tiny model.
@Suite struct TracePredictionTests {
    static let format: any Agent.ChatFormat = {
        do { return ChatMLFormat(tokenizer: try Tokenizer(gguf: GGUFFile(path: try ModelLocator.resolve("tiny")))) } catch {
            fatalError("the tiny model's tokenizer: \(error)")
        }
    }()

    @Test func framesAreReadAsCWMsDebuggerReadsThem() {
        let frames = TraceFormatTests.frames
        for frame in frames {
            let text = CWMTraceText.frame(frame)
            #expect(PredictedFrame.parse(text) == .frame(event: frame.event, locals: frame.locals, source: frame.source, value: frame.value),
                    "\(text)")
        }
        #expect(PredictedFrame.parse("<|end_of_text|>") == .end)
        #expect(PredictedFrame.parse("def f(c):") == .malformed("no event token first"))
        #expect(PredictedFrame.parse("<|line_sep|>{\"c\": 1}<|action_sep|>x") == .malformed("the locals are not a JSON object of strings"))
        #expect(PredictedFrame.parse("<|line_sep|>{\"b\": \"2\", \"a\": \"1\"}<|action_sep|>x")
                == .frame(event: .line, locals: [.init(name: "b", value: "2"), .init(name: "a", value: "1")], source: "x", value: nil))
        // A value that is not JSON is kept as written.
        #expect(PredictedFrame.parse("<|return_sep|><|action_sep|>    return n<|arg_sep|>1")
                == .frame(event: .return, locals: nil, source: "    return n", value: "1"))
    }

    @Test func scoresCompareEachPartWithTheTrueFrame() {
        let line = TraceFormatTests.frames[2], ret = TraceFormatTests.frames[3]
        let right = FrameScore(predicted: PredictedFrame.parse(CWMTraceText.frame(line)), truth: line)
        #expect(right.frame && right.line && right.locals == true && right.value == nil)
        let wrongLocals = FrameScore(predicted: .frame(event: .line, locals: [.init(name: "c", value: ".."), .init(name: "n", value: "2")],
                                                       source: "  return n  ", value: nil), truth: line)
        #expect(wrongLocals.line && wrongLocals.locals == false && !wrongLocals.frame)
        let wrongValue = FrameScore(predicted: .frame(event: .return, locals: nil, source: "    return n", value: "2"), truth: ret)
        #expect(wrongValue.line && wrongValue.value == false && wrongValue.locals == nil && !wrongValue.frame)
        let endTooSoon = FrameScore(predicted: .end, truth: ret)
        #expect(!endTooSoon.event && !endTooSoon.line && endTooSoon.wellFormed)
        #expect(FrameScore(predicted: .end, truth: nil).frame)
        #expect(!FrameScore(predicted: .malformed("x"), truth: nil).wellFormed)
    }

    /// The scripted model writes the frame and what a model would go on with after it: the stop
    /// string cuts there.
    static func script(_ trace: TraceRecord, positions: [Int], corrupt: Bool = false) -> ScriptedModel {
        let turns = positions.map { i -> String in
            var text = TracePrediction.truth(trace, at: i)
            if corrupt, i < trace.frames.count, var locals = trace.frames[i].locals, !locals.isEmpty {
                locals[locals.count - 1].value = "'wrong'"
                var frame = trace.frames[i]
                frame.locals = locals
                text = CWMTraceText.frame(frame)
            }
            return text + CWMTraceText.frameSeparator + "<|line_sep|>{}<|action_sep|>more"
        }
        return ScriptedModel(format: format, turns: [trace.id: turns])
    }

    @Test func anOracleScoresEverythingAndWrongLocalsOnlyTheLocals() async throws {
        let trace = TraceFormatTests.record()
        let probe = TracePrediction(model: ScriptedModel(format: Self.format, turns: [:]), format: Self.format, stepsPerTrace: 0)
        let positions = probe.positions(of: trace)
        #expect(positions == [0, 1, 2, 3, 4])  // four frames and the end

        let oracle = TracePrediction(model: Self.script(trace, positions: positions), format: Self.format, stepsPerTrace: 0)
        let (report, steps) = try await oracle.run([trace])
        #expect(report.steps == 5 && report.traces == 1)
        #expect(report.frame == 1 && report.line == 1 && report.locals == 1 && report.value == 1 && report.wellFormed == 1)
        #expect(report.localsSteps == 3 && report.valueSteps == 1)
        #expect(steps.last?.truth == "<|end_of_text|>")
        #expect(steps.allSatisfy { !$0.predicted.contains(CWMTraceText.frameSeparator) })

        let wrong = TracePrediction(model: Self.script(trace, positions: positions, corrupt: true), format: Self.format, stepsPerTrace: 0)
        let (bad, _) = try await wrong.run([trace])
        #expect(bad.line == 1 && bad.event == 1)
        #expect(bad.locals == 0)
        #expect(bad.frame == 2.0 / 5.0)  // the return frame and the end are still right
    }

    @Test func stepsAreSpreadOverTheTraceAndLongPromptsLeftOut() async throws {
        var trace = TraceFormatTests.record()
        trace.frames = Array(repeating: TraceFormatTests.frames[1], count: 20)
        let p = TracePrediction(model: ScriptedModel(format: Self.format, turns: [:]), format: Self.format, stepsPerTrace: 4)
        #expect(p.positions(of: trace) == [0, 6, 13, 20])
        trace.cut = "events"
        #expect(p.positions(of: trace) == [0, 6, 12, 19])  // a cut trace has no end to predict

        let small = TracePrediction(model: ScriptedModel(format: Self.format, turns: [:]), format: Self.format, stepsPerTrace: 0, contextLength: 60)
        let (report, _) = try await small.run([trace])
        #expect(report.skippedTooLong > 0 && report.steps + report.skippedTooLong == 20)
    }

    @Test(.timeLimit(.minutes(5)))
    func theTinyModelPredictsAndIsScored() async throws {
        let model = try Model.load(path: try ModelLocator.resolve("tiny"))
        let format = chatFormat(for: model.tokenizer)
        let engine = InferenceModel(model: model, format: format, sampling: .greedy)
        let trace = TraceFormatTests.record()
        let (report, steps) = try await TracePrediction(model: engine, format: format, stepsPerTrace: 3, maxTokens: 48,
                                                        contextLength: engine.contextLength).run([trace])
        #expect(report.steps == 3)
        #expect(steps.allSatisfy { $0.generatedTokens > 0 && $0.generatedTokens <= 49 && $0.promptTokens > 20 })
        for share in [report.wellFormed, report.event, report.line, report.frame] {
            let v = try #require(share)
            #expect(v >= 0 && v <= 1)
        }
    }
}
