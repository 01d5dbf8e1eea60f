import Testing
@testable import Statistics

/// Reference values from scipy 1.17.1: `t = scipy.stats.ttest_ind(a, b, equal_var=False)`,
/// `t.df`, `t.confidence_interval(0.95)`. Tolerance 1e-12 relative, as for the paired intervals.
@Suite struct WelchIntervalTests {
    @Test func fourAgainstThreeMatchesScipy() throws {
        let welch = try WelchInterval([0.559, 0.537, 0.370, 0.512], [0.497, 0.502, 0.291])
        expectClose(welch.difference, 0.06450000000000006, relative: 1e-12)
        expectClose(welch.degreesOfFreedom, 3.458777683155619, relative: 1e-12)
        expectClose(welch.interval.lower, -0.17653402036787175, relative: 1e-12)
        expectClose(welch.interval.upper, 0.30553402036787186, relative: 1e-12)
    }

    @Test func fourAgainstFiveMatchesScipy() throws {
        let welch = try WelchInterval([0.559, 0.537, 0.370, 0.512], [0.61, 0.58, 0.66, 0.59, 0.63])
        expectClose(welch.difference, -0.11949999999999994, relative: 1e-12)
        expectClose(welch.degreesOfFreedom, 3.684263112633679, relative: 1e-12)
        expectClose(welch.interval.lower, -0.24863178836271838, relative: 1e-12)
        expectClose(welch.interval.upper, 0.009631788362718496, relative: 1e-12)
    }

    /// By hand: equal variances and sizes give ν = 2(n − 1), the pooled value. With s² = 1,
    /// n = 3 each: se² = 2/3, ν = (2/3)² / (2 · (1/3)²/2) = 4.
    @Test func equalSpreadsGiveThePooledDegreesOfFreedom() throws {
        let welch = try WelchInterval([1, 2, 3], [11, 12, 13])
        expectClose(welch.degreesOfFreedom, 4, relative: 1e-14)
        expectClose(welch.standardError, (2.0 / 3).squareRoot(), relative: 1e-14)
        #expect(welch.difference == -10)
    }

    @Test func noSpreadOnEitherSideGivesAPointInterval() throws {
        let welch = try WelchInterval([5, 5, 5], [3, 3])
        #expect(welch.standardError == 0)
        #expect(welch.interval == ConfidenceInterval(lower: 2, upper: 2, level: 0.95))
        #expect(welch.degreesOfFreedom == 3)
    }

    @Test func tooFewOrNonFiniteValuesThrow() {
        #expect(throws: StatisticsError.tooFewValues(count: 1, needed: 2)) { try WelchInterval([1, 2], [3]) }
        #expect(throws: StatisticsError.nonFinite(at: "value 2 of the first sample", value: .infinity)) {
            try WelchInterval([1, .infinity], [3, 4])
        }
    }
}
