import Testing
@testable import Statistics

@Suite struct TimeToTargetTests {
    /// By hand: epochs end at 10, 20, 30, 40 s with mAP 0.2, 0.4, 0.5, 0.6; target 0.45 lies
    /// half-way between epoch 1 (0.4 at 20 s) and epoch 2 (0.5 at 30 s): 25 s.
    @Test func interpolatesBetweenTheEpochsAroundTheCrossing() throws {
        let curve = try TrainingCurve(cumulativeSeconds: [10, 20, 30, 40], values: [0.2, 0.4, 0.5, 0.6])
        #expect(try TimeToTarget.first(reaching: 0.45, in: curve) == .reached(seconds: 25, epoch: 2))
        // 0.4 is reached exactly at epoch 1: 20 s, not interpolated past it.
        #expect(try TimeToTarget.first(reaching: 0.4, in: curve) == .reached(seconds: 20, epoch: 1))
        // Reached at the first epoch: nothing was measured before it, so its end.
        #expect(try TimeToTarget.first(reaching: 0.1, in: curve) == .reached(seconds: 10, epoch: 0))
        #expect(try TimeToTarget.first(reaching: 0.61, in: curve) == .notReached)
    }

    /// The first crossing counts, not a later one after a dip (0.3 → 0.5 → 0.35 → 0.55).
    @Test func theFirstCrossingCounts() throws {
        let curve = try TrainingCurve(epochSeconds: [5, 5, 5, 5], values: [0.3, 0.5, 0.35, 0.55])
        #expect(curve.cumulativeSeconds == [5, 10, 15, 20])
        // 0.45: between 0.3 at 5 s and 0.5 at 10 s, three quarters of the way: 8.75 s.
        #expect(try TimeToTarget.first(reaching: 0.45, in: curve) == .reached(seconds: 8.75, epoch: 1))
    }

    @Test func aNaNBeforeTheCrossingIsNotAvailableAfterItIrrelevant() throws {
        let before = try TrainingCurve(cumulativeSeconds: [10, 20, 30], values: [0.2, .nan, 0.6])
        #expect(throws: StatisticsError.nonFinite(at: "the value of epoch 1", value: .nan)) {
            try TimeToTarget.first(reaching: 0.5, in: before)
        }
        let after = try TrainingCurve(cumulativeSeconds: [10, 20, 30], values: [0.2, 0.6, .nan])
        #expect(try TimeToTarget.first(reaching: 0.5, in: after) == .reached(seconds: 17.5, epoch: 1))
        #expect(throws: StatisticsError.nonFinite(at: "the target", value: .nan)) {
            try TimeToTarget.first(reaching: .nan, in: after)
        }
    }

    @Test func badCurvesThrow() throws {
        #expect(throws: StatisticsError.lengthsDiffer(first: 2, second: 3)) {
            try TrainingCurve(cumulativeSeconds: [1, 2], values: [0.1, 0.2, 0.3])
        }
        #expect(throws: StatisticsError.timeDecreases(at: "epoch 2")) {
            try TrainingCurve(cumulativeSeconds: [1, 3, 2], values: [0.1, 0.2, 0.3])
        }
        #expect(throws: StatisticsError.nonFinite(at: "the wall time of epoch 1", value: .infinity)) {
            try TrainingCurve(epochSeconds: [1, .infinity], values: [0.1, 0.2])
        }
        #expect(throws: StatisticsError.negative(at: "the wall time of epoch 0", value: -1)) {
            try TrainingCurve(epochSeconds: [-1, 2], values: [0.1, 0.2])
        }
        #expect(throws: StatisticsError.noValues) {
            try TimeToTarget.first(reaching: 0.5, in: TrainingCurve(cumulativeSeconds: [], values: []))
        }
    }

    /// Per-seed targets are 95 % of that seed's `none` final value; the summary is a mean over
    /// seeds only when every seed reached it.
    @Test func summaryOverSeeds() throws {
        let targets = try TimeToTarget.targets(baselineFinal: [0: 0.6, 1: 0.5, 2: 0.4])
        expectClose(targets[0], 0.57, relative: 1e-15)
        expectClose(targets[2], 0.38, relative: 1e-15)
        // Seed 0 crosses 0.57 at 10 + (0.57 − 0.5)/(0.6 − 0.5)·10 = 17 s; seed 1 crosses 0.475 at
        // 10 + 0.075/0.1·10 = 17.5 s; seed 2 crosses 0.38 at 10 + 0.08/0.1·10 = 18 s.
        let curves = try [0: TrainingCurve(cumulativeSeconds: [10, 20], values: [0.5, 0.6]),
                          1: TrainingCurve(cumulativeSeconds: [10, 20], values: [0.4, 0.5]),
                          2: TrainingCurve(cumulativeSeconds: [10, 20], values: [0.3, 0.4]),
                          9: TrainingCurve(cumulativeSeconds: [10], values: [0.9])]
        let summary = try TimeToTarget.summary(curves: curves, targets: targets)
        expectClose(summary.outcomes[0]?.seconds, 17, relative: 1e-12)
        expectClose(summary.outcomes[1]?.seconds, 17.5, relative: 1e-12)
        expectClose(summary.outcomes[2]?.seconds, 18, relative: 1e-12)
        expectClose(summary.estimate?.mean, 17.5, relative: 1e-12)
        #expect(summary.estimate?.count == 3)
        #expect(summary.unmatchedSeeds == [9])
        #expect(summary.noEstimateReason == nil)
    }

    @Test func aSeedThatNeverReachesLeavesNoMean() throws {
        let curves = try [0: TrainingCurve(cumulativeSeconds: [10, 20], values: [0.5, 0.6]),
                          1: TrainingCurve(cumulativeSeconds: [10, 20], values: [0.4, 0.45]),
                          2: TrainingCurve(cumulativeSeconds: [10, 20], values: [0.5, 0.6])]
        let summary = try TimeToTarget.summary(curves: curves, targets: [0: 0.55, 1: 0.55, 2: 0.55])
        #expect(summary.estimate == nil)
        #expect(summary.notReachedSeeds == [1])
        #expect(summary.noEstimateReason == "not reached in seed 1 (reached in 2 of 3)")
    }

    @Test func summaryErrorsNameTheSeed() throws {
        let curves = try [0: TrainingCurve(cumulativeSeconds: [10, 20], values: [.nan, 0.6])]
        #expect(throws: StatisticsError.nonFinite(at: "seed 0: the value of epoch 0", value: .nan)) {
            try TimeToTarget.summary(curves: curves, targets: [0: 0.5])
        }
        #expect(throws: StatisticsError.noCommonSeeds(baseline: [1], other: [0])) {
            try TimeToTarget.summary(curves: curves, targets: [1: 0.5])
        }
        #expect(throws: StatisticsError.nonFinite(at: "the baseline's final value of seed 3", value: .nan)) {
            try TimeToTarget.targets(baselineFinal: [3: .nan])
        }
    }
}
