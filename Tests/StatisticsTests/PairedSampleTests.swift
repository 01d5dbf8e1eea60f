import Foundation
import Testing
@testable import Statistics

/// Reference values from scipy 1.17.1 with numpy arrays none = [0.497, 0.559, 0.523],
/// backbone = [0.502, 0.537, 0.519], allButDetect = [0.291, 0.370, 0.330] (seeds 0, 1, 2):
/// - difference: `scipy.stats.ttest_rel(backbone, none).confidence_interval(0.95)`;
/// - relative: `scipy.stats.ttest_1samp(backbone / none - 1, 0).confidence_interval(0.95)`;
/// - ratio: `r = np.log(frozen / none)`, `np.exp(r.mean())`, `np.exp(ttest_1samp(r, 0).confidence_interval(0.95))`
///   with images/s none = [20.1, 19.5, 20.8], frozen = [26.0, 25.1, 27.3].
/// Tolerance 1e-12 relative: the same arithmetic in another order, a few ulps apart.
@Suite struct PairedSampleTests {
    static let none: [Int: Double] = [0: 0.497, 1: 0.559, 2: 0.523]
    static let backbone: [Int: Double] = [0: 0.502, 1: 0.537, 2: 0.519]
    static let allButDetect: [Int: Double] = [0: 0.291, 1: 0.370, 2: 0.330]

    @Test func pairedDifferenceMatchesScipy() throws {
        let difference = try PairedSample(baseline: Self.none, other: Self.backbone).difference()
        expectClose(difference.mean, -0.007000000000000006, relative: 1e-12)
        expectClose(difference.interval?.lower, -0.04115124730237087, relative: 1e-12)
        expectClose(difference.interval?.upper, 0.02715124730237086, relative: 1e-12)
    }

    @Test func relativeDifferencesArePerSeedThenAveraged() throws {
        let backbone = try PairedSample(baseline: Self.none, other: Self.backbone).relativeDifference()
        expectClose(backbone.mean, -0.012314604742577395, relative: 1e-12)
        expectClose(backbone.interval?.lower, -0.0745086847566728, relative: 1e-12)
        expectClose(backbone.interval?.upper, 0.049879475271518016, relative: 1e-12)
        let allButDetect = try PairedSample(baseline: Self.none, other: Self.allButDetect).relativeDifference()
        expectClose(allButDetect.mean, -0.37387184494471376, relative: 1e-12)
        expectClose(allButDetect.interval?.lower, -0.46931631262185025, relative: 1e-12)
        expectClose(allButDetect.interval?.upper, -0.27842737726757727, relative: 1e-12)
    }

    @Test func ratiosAreGeometricMeansWithLogIntervals() throws {
        let ratio = try PairedSample(baseline: [0: 20.1, 1: 19.5, 2: 20.8], other: [0: 26.0, 1: 25.1, 2: 27.3]).ratio()
        expectClose(ratio.geometricMean, 1.2976928275129602, relative: 1e-12)
        expectClose(ratio.interval?.lower, 1.2654466067863572, relative: 1e-12)
        expectClose(ratio.interval?.upper, 1.330760749246601, relative: 1e-12)
        #expect(ratio.count == 3)
    }

    /// By hand: ratios 2 and 1/2 are symmetric on the log scale, so their geometric mean is 1.
    @Test func aDoublingAndAHalvingCancel() throws {
        let ratio = try PairedSample(baseline: [0: 10, 1: 10], other: [0: 20, 1: 5]).ratio()
        expectClose(ratio.geometricMean, 1, relative: 1e-15)
    }

    @Test func onlySeedsPresentOnBothSidesArePaired() throws {
        let sample = try PairedSample(baseline: [0: 1, 1: 2, 2: 3, 5: 9], other: [2: 4, 0: 1.5, 1: 2.5, 7: .nan])
        #expect(sample.seeds == [0, 1, 2])
        #expect(sample.baseline == [1, 2, 3])
        #expect(sample.other == [1.5, 2.5, 4])
        #expect(sample.unmatchedSeeds == [5, 7])
        #expect(try sample.difference().mean == (0.5 + 0.5 + 1) / 3)
    }

    @Test func unusableInputsThrowNamingTheSeed() throws {
        #expect(throws: StatisticsError.noCommonSeeds(baseline: [0, 1], other: [2])) {
            try PairedSample(baseline: [0: 1, 1: 2], other: [2: 3])
        }
        #expect(throws: StatisticsError.nonFinite(at: "seed 1 of the other scenario", value: -.infinity)) {
            try PairedSample(baseline: [0: 1, 1: 2], other: [0: 1, 1: -.infinity])
        }
        let zeroBaseline = try PairedSample(baseline: [0: 0, 1: 2], other: [0: 1, 1: 2])
        #expect(throws: StatisticsError.notPositive(at: "seed 0 of the baseline", value: 0)) { try zeroBaseline.relativeDifference() }
        #expect(throws: StatisticsError.notPositive(at: "seed 0 of the baseline", value: 0)) { try zeroBaseline.ratio() }
        let negativeOther = try PairedSample(baseline: [0: 1, 1: 2], other: [0: -1, 1: 2])
        #expect(throws: StatisticsError.notPositive(at: "seed 0 of the other scenario", value: -1)) { try negativeOther.ratio() }
    }
}
