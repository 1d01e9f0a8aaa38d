import Agent
import ForagerSupport
import Foundation
import Trajectories

/// `forager trace predict`: a model as CWM's neural debugger, scored on stored traces. At each
/// chosen step the model is given the trace's context and the true frames before that step, in
/// CWM's token layout (spec §3.6), and writes the next frame, stopped at `<|frame_sep|>`; the
/// prediction is read as the debugger reads it and compared with the true frame (or, past the
/// last frame of a complete trace, with the end of the trace).
public struct TracePrediction: Sendable {
    public struct Step: Sendable, Codable {
        public var trace: String
        /// The frame predicted (0: the first frame; the frame count: the end of a complete trace).
        public var index: Int
        public var truth: String
        public var predicted: String
        public var score: FrameScore
        public var promptTokens: Int
        public var generatedTokens: Int
        public var seconds: Double

        enum CodingKeys: String, CodingKey {
            case trace, index, truth, predicted, score, seconds
            case promptTokens = "prompt_tokens", generatedTokens = "generated_tokens"
        }
    }

    /// Accuracies over the steps that have the thing measured (nil when none has).
    public struct Report: Sendable, Codable {
        public var traces = 0
        public var steps = 0
        /// Steps left out because their prompt did not fit the model's window.
        public var skippedTooLong = 0
        public var wellFormed: Double?
        public var event: Double?
        public var line: Double?
        public var locals: Double?
        public var value: Double?
        public var frame: Double?
        public var localsSteps = 0
        public var valueSteps = 0
        public var generatedTokens = 0
        public var seconds = 0.0

        public init(_ steps: [Step], traces: Int, skippedTooLong: Int, seconds: Double) {
            func share(_ values: [Bool]) -> Double? { values.isEmpty ? nil : Double(values.filter { $0 }.count) / Double(values.count) }
            self.traces = traces
            self.steps = steps.count
            self.skippedTooLong = skippedTooLong
            wellFormed = share(steps.map(\.score.wellFormed))
            event = share(steps.map(\.score.event))
            line = share(steps.map(\.score.line))
            let localScores = steps.compactMap(\.score.locals), valueScores = steps.compactMap(\.score.value)
            locals = share(localScores)
            value = share(valueScores)
            localsSteps = localScores.count
            valueSteps = valueScores.count
            frame = share(steps.map(\.score.frame))
            generatedTokens = steps.map(\.generatedTokens).reduce(0, +)
            self.seconds = seconds
        }

        enum CodingKeys: String, CodingKey {
            case traces, steps, event, line, locals, value, frame, seconds
            case skippedTooLong = "skipped_too_long", wellFormed = "well_formed", localsSteps = "locals_steps"
            case valueSteps = "value_steps", generatedTokens = "generated_tokens"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(traces, forKey: .traces)
            try c.encode(steps, forKey: .steps)
            try c.encode(skippedTooLong, forKey: .skippedTooLong)
            try c.encode(wellFormed, forKey: .wellFormed)
            try c.encode(event, forKey: .event)
            try c.encode(line, forKey: .line)
            try c.encode(locals, forKey: .locals)
            try c.encode(localsSteps, forKey: .localsSteps)
            try c.encode(value, forKey: .value)
            try c.encode(valueSteps, forKey: .valueSteps)
            try c.encode(frame, forKey: .frame)
            try c.encode(generatedTokens, forKey: .generatedTokens)
            try c.encode(seconds, forKey: .seconds)
        }
    }

    public var model: any LanguageModel
    public var format: any ChatFormat
    /// Steps per trace, spread evenly over it (0: every step).
    public var stepsPerTrace: Int
    public var maxTokens: Int
    /// The model's window in tokens; longer prompts are skipped. nil: no limit known.
    public var contextLength: Int?

    public init(model: any LanguageModel, format: any ChatFormat, stepsPerTrace: Int = 8, maxTokens: Int = 256, contextLength: Int? = nil) {
        self.model = model
        self.format = format
        self.stepsPerTrace = stepsPerTrace
        self.maxTokens = maxTokens
        self.contextLength = contextLength
    }

    /// The steps of a trace that are predicted: the frames, and the end when the trace is complete.
    public func positions(of trace: TraceRecord) -> [Int] {
        let count = trace.frames.count + (trace.isComplete ? 1 : 0)
        guard stepsPerTrace > 0, count > stepsPerTrace else { return Array(0..<count) }
        if stepsPerTrace == 1 { return [0] }
        return (0..<stepsPerTrace).map { $0 * (count - 1) / (stepsPerTrace - 1) }
    }

    /// The text the model continues for step `index`: the prompt and the true frames before it.
    public static func prompt(_ trace: TraceRecord, upTo index: Int) -> String {
        CWMTraceText.document(context: trace.context, frames: Array(trace.frames.prefix(index)), complete: false)
    }

    /// The true next frame's text (or the end marker).
    public static func truth(_ trace: TraceRecord, at index: Int) -> String {
        index < trace.frames.count ? CWMTraceText.frame(trace.frames[index]) : CWMTraceText.endOfText
    }

    /// Predicts the chosen steps of every trace; `onStep` sees each step as it is scored.
    public func run(_ traces: [TraceRecord], onStep: @Sendable (Step) async throws -> Void = { _ in }) async throws -> (Report, [Step]) {
        let started = ContinuousClock.now
        var steps: [Step] = []
        var skipped = 0
        for trace in traces {
            for (n, index) in positions(of: trace).enumerated() {
                try Task.checkCancellation()
                let context = format.tokenize(Self.prompt(trace, upTo: index))
                if let window = contextLength, context.count + 1 >= window {
                    skipped += 1
                    continue
                }
                let budget = contextLength.map { min(maxTokens, $0 - context.count - 1) } ?? maxTokens
                let t0 = ContinuousClock.now
                let action = try await model.nextAction(ModelRequest(
                    instanceID: trace.id, attempt: 1, turnIndex: n, context: context, maxTokens: budget,
                    stopStrings: [CWMTraceText.frameSeparator]))
                let truthFrame = index < trace.frames.count ? trace.frames[index] : nil
                let step = Step(trace: trace.id, index: index, truth: Self.truth(trace, at: index), predicted: action.text,
                                score: FrameScore(predicted: PredictedFrame.parse(action.text), truth: truthFrame),
                                promptTokens: context.count, generatedTokens: action.tokens.count,
                                seconds: (ContinuousClock.now - t0).seconds)
                try await onStep(step)
                steps.append(step)
            }
        }
        return (Report(steps, traces: traces.count, skippedTooLong: skipped, seconds: (ContinuousClock.now - started).seconds), steps)
    }
}
