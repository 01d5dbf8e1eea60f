import Foundation
import Testing
@testable import Statistics

/// Reference values from scipy 1.17.1 (`scipy.stats.t.ppf(p, df)`, `scipy.stats.t.cdf(t, df)`),
/// printed with `repr` and pasted here. scipy computes them with Boost's inverse incomplete
/// beta, good to a few ulps.
@Suite struct StudentTTests {
    /// Measured agreement with scipy: ≤ 7e-15 relative for ν ≤ 100, 7e-14 at ν = 1000 (where
    /// lgamma(ν/2) − lgamma(ν/2 + ½) in B(ν/2, ½) cancels digits); 1e-12 leaves room and still
    /// demands 12 digits. A wrong formula (one-sided instead of two-sided, ν off by one) is off
    /// by more than 1e-2.
    static let tolerance = 1e-12

    /// (ν, t.ppf(0.975, ν)): the 95 % two-sided critical values for n = 2…10 seeds (ν = 1…9)
    /// and a few larger ν.
    static let twoSided95: [(Double, Double)] = [
        (1, 12.706204736174694), (2, 4.302652729749462), (3, 3.1824463052837078),
        (4, 2.7764451051977934), (5, 2.5705818356363146), (6, 2.4469118511449786),
        (7, 2.364624251592784), (8, 2.306004135204166), (9, 2.262157162798205),
        (10, 2.228138851986274), (15, 2.131449545559776), (20, 2.085963447265864),
        (30, 2.0422724563012378), (50, 2.008559112100761), (100, 1.9839715185235518),
        (1000, 1.9623390808264083),
    ]

    @Test(arguments: twoSided95)
    func twoSided95MatchesScipy(degreesOfFreedom: Double, expected: Double) {
        let t = StudentT(degreesOfFreedom: degreesOfFreedom)
        expectClose(t.twoSidedCriticalValue(level: 0.95), expected, relative: Self.tolerance, "ν = \(degreesOfFreedom)")
        expectClose(t.quantile(0.975), expected, relative: Self.tolerance, "ν = \(degreesOfFreedom)")
    }

    /// ν = 100000: the same cancellation, with lgamma(50000) ≈ 5e5, leaves 1.7e-11 relative
    /// (measured); 1e-9 bounds it. No study has such ν (seeds give ν ≤ 10s); this shows the
    /// function stays right far beyond them.
    @Test func veryLargeDegreesOfFreedomApproachTheNormal() {
        expectClose(StudentT(degreesOfFreedom: 100_000).twoSidedCriticalValue(level: 0.95), 1.9599877075346095, relative: 1e-9)
    }

    /// (ν, level, expected): other levels, t.ppf(0.95, ν) for 90 % and t.ppf(0.995, ν) for 99 %.
    static let otherLevels: [(Double, Double, Double)] = [
        (1, 0.90, 6.313751514675037), (2, 0.90, 2.9199855803537242), (3, 0.90, 2.3533634348018233),
        (5, 0.90, 2.0150483733330233), (9, 0.90, 1.833112932656237), (30, 0.90, 1.697260886593957),
        (1, 0.99, 63.656741162871526), (2, 0.99, 9.924843200918287), (3, 0.99, 5.840909309733355),
        (5, 0.99, 4.032142983555228), (9, 0.99, 3.249835541592126), (30, 0.99, 2.7499956535672254),
    ]

    @Test(arguments: otherLevels)
    func otherLevelsMatchScipy(degreesOfFreedom: Double, level: Double, expected: Double) {
        expectClose(StudentT(degreesOfFreedom: degreesOfFreedom).twoSidedCriticalValue(level: level), expected,
                    relative: Self.tolerance, "ν = \(degreesOfFreedom), level \(level)")
    }

    /// Welch's ν is fractional: t.ppf(0.975, ν).
    static let fractional: [(Double, Double)] = [
        (1.5, 6.016663104427929), (2.5, 3.5746548420036817), (4.7, 2.62072607535317), (13.37, 2.154306952430865),
    ]

    @Test(arguments: fractional)
    func fractionalDegreesOfFreedomMatchScipy(degreesOfFreedom: Double, expected: Double) {
        expectClose(StudentT(degreesOfFreedom: degreesOfFreedom).quantile(0.975), expected, relative: Self.tolerance)
    }

    /// Lower quantiles are negative and symmetric: t.ppf(p, ν).
    static let lowerQuantiles: [(Double, Double, Double)] = [
        (0.025, 2, -4.302652729749464), (0.3, 5, -0.5594296444693604), (1e-6, 3, -103.29946778041935),
    ]

    @Test(arguments: lowerQuantiles)
    func lowerQuantilesMatchScipy(p: Double, degreesOfFreedom: Double, expected: Double) {
        expectClose(StudentT(degreesOfFreedom: degreesOfFreedom).quantile(p), expected, relative: Self.tolerance)
    }

    /// (t, ν, t.cdf(t, ν)).
    static let distribution: [(Double, Double, Double)] = [
        (0.5, 1, 0.6475836176504333), (1.0, 2, 0.7886751345948129), (2.0, 3, 0.9303370157205785),
        (-1.5, 4, 0.104), (3.0, 9, 0.9925218180447929), (0.1, 30, 0.5394951941048645),
    ]

    @Test(arguments: distribution)
    func distributionFunctionMatchesScipy(t: Double, degreesOfFreedom: Double, expected: Double) {
        expectClose(StudentT(degreesOfFreedom: degreesOfFreedom).cdf(t), expected, relative: Self.tolerance)
    }

    /// Closed forms, by hand: ν = 1 is Cauchy, t = tan(π(p − ½)); ν = 2 has
    /// t = (2p − 1)/√(2p(1 − p)). At p = 0.975: 12.7062… and 0.95/√0.04875 = 4.30265….
    @Test func closedFormsForOneAndTwoDegreesOfFreedom() {
        for p in [0.6, 0.9, 0.975, 0.999] {
            expectClose(StudentT(degreesOfFreedom: 1).quantile(p), tan(Double.pi * (p - 0.5)), relative: Self.tolerance, "p = \(p)")
            expectClose(StudentT(degreesOfFreedom: 2).quantile(p), (2 * p - 1) / (2 * p * (1 - p)).squareRoot(),
                        relative: Self.tolerance, "p = \(p)")
        }
    }

    @Test func quantileInvertsTheDistributionFunction() {
        for nu in [1.0, 3, 7.5, 40] {
            let t = StudentT(degreesOfFreedom: nu)
            for p in [0.01, 0.2, 0.5, 0.8, 0.99] { expectClose(t.cdf(t.quantile(p)), p, relative: 1e-13, "ν = \(nu), p = \(p)") }
        }
    }

    @Test func tailsAtTheEndsOfTheLine() {
        let t = StudentT(degreesOfFreedom: 3)
        #expect(t.upperTail(0) == 0.5)
        #expect(t.upperTail(.infinity) == 0)
        #expect(t.upperTail(-.infinity) == 1)
        #expect(t.quantile(0.5) == 0)
    }
}
