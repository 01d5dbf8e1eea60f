import Testing
@testable import Statistics

@Suite struct PredictedSpeedUpTests {
    /// A baseline epoch: 2 s data wait, 10 s forward, 20 s backward, 3 s optimizer, 1 s EMA,
    /// 4 s validation (36 s training, 40 s in all).
    static let seconds = PhaseSeconds(dataWait: 2, forward: 10, backward: 20, optimizer: 3, ema: 1, validation: 4)
    /// Baseline work per image: forward 8 GFLOP, weight gradient 8, input gradient 8; 7 M parameters.
    static let none = TrainingWork(forwardFLOPs: 8e9, weightGradientFLOPs: 8e9, inputGradientFLOPs: 8e9, trainableParameters: 7e6)

    @Test func theBaselinePredictsNoSpeedUp() throws {
        let prediction = try PredictedSpeedUp(baselineSeconds: Self.seconds, baselineWork: Self.none, scenarioWork: Self.none)
        #expect(prediction.trainingSpeedUp == 1)
        #expect(prediction.epochSpeedUp == 1)
        #expect(prediction.predictedSeconds == Self.seconds)
    }

    /// By hand: a backbone freeze keeping forward (8), with weight gradient 3 and input
    /// gradient 5 (backward 8 of 16: half), and 2.8 M of 7 M parameters (40 %):
    /// forward 10, backward 20·½ = 10, optimizer 3·0.4 = 1.2, data 2, EMA 1 → training 24.2 s,
    /// speed-up 36/24.2 = 1.4876…; with validation 4: 40/28.2 = 1.4184….
    @Test func eachComputePhaseScalesWithItsWorkAndTheRestStays() throws {
        let backbone = TrainingWork(forwardFLOPs: 8e9, weightGradientFLOPs: 3e9, inputGradientFLOPs: 5e9, trainableParameters: 2.8e6)
        let prediction = try PredictedSpeedUp(baselineSeconds: Self.seconds, baselineWork: Self.none, scenarioWork: backbone)
        expectClose(prediction.predictedSeconds.backward, 10, relative: 1e-15)
        expectClose(prediction.predictedSeconds.optimizer, 1.2, relative: 1e-15)
        #expect(prediction.predictedSeconds.forward == 10)
        #expect(prediction.predictedSeconds.dataWait == 2 && prediction.predictedSeconds.ema == 1 && prediction.predictedSeconds.validation == 4)
        expectClose(prediction.trainingSpeedUp, 36 / 24.2, relative: 1e-14)
        expectClose(prediction.epochSpeedUp, 40 / 28.2, relative: 1e-14)
    }

    /// Amdahl's bound: with no backward and no optimizer work left, what stays (data, forward,
    /// EMA: 13 s of 36) caps the speed-up at 36/13.
    @Test func whatStaysBoundsTheSpeedUp() throws {
        let nothingTrains = TrainingWork(forwardFLOPs: 8e9, weightGradientFLOPs: 0, inputGradientFLOPs: 0, trainableParameters: 0)
        let prediction = try PredictedSpeedUp(baselineSeconds: Self.seconds, baselineWork: Self.none, scenarioWork: nothingTrains)
        expectClose(prediction.trainingSpeedUp, 36.0 / 13, relative: 1e-14)
    }

    @Test func unusableFiguresThrowNamingThem() {
        var nanSeconds = Self.seconds
        nanSeconds.backward = .nan
        #expect(throws: StatisticsError.nonFinite(at: "the baseline's backward seconds", value: .nan)) {
            try PredictedSpeedUp(baselineSeconds: nanSeconds, baselineWork: Self.none, scenarioWork: Self.none)
        }
        var noForward = Self.none
        noForward.forwardFLOPs = 0
        #expect(throws: StatisticsError.notPositive(at: "the baseline's forward FLOPs", value: 0)) {
            try PredictedSpeedUp(baselineSeconds: Self.seconds, baselineWork: noForward, scenarioWork: Self.none)
        }
        var negative = Self.none
        negative.inputGradientFLOPs = -1
        #expect(throws: StatisticsError.negative(at: "the scenario's input-gradient FLOPs", value: -1)) {
            try PredictedSpeedUp(baselineSeconds: Self.seconds, baselineWork: Self.none, scenarioWork: negative)
        }
        let zero = PhaseSeconds(dataWait: 0, forward: 0, backward: 0, optimizer: 0, ema: 0, validation: 0)
        #expect(throws: StatisticsError.notPositive(at: "the predicted training seconds", value: 0)) {
            try PredictedSpeedUp(baselineSeconds: zero, baselineWork: Self.none, scenarioWork: Self.none)
        }
    }
}
