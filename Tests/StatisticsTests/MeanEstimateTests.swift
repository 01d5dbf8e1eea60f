import Testing
@testable import Statistics

@Suite struct MeanEstimateTests {
    /// By hand: 1, 2, 3 → mean 2, s = √((1 + 0 + 1)/2) = 1, half-width t*₂ · 1/√3 with
    /// t*₂ = 0.95/√0.04875 (the closed form for ν = 2) = 4.302652729749…
    @Test func oneTwoThreeByHand() throws {
        let estimate = try MeanEstimate([1, 2, 3])
        #expect(estimate.count == 3)
        #expect(estimate.mean == 2)
        #expect(estimate.standardDeviation == 1)
        let halfWidth = 0.95 / 0.04875.squareRoot() / 3.0.squareRoot()
        expectClose(estimate.interval?.lower, 2 - halfWidth, relative: 1e-13)
        expectClose(estimate.interval?.upper, 2 + halfWidth, relative: 1e-13)
        #expect(estimate.interval?.level == 0.95)
    }

    /// scipy 1.17.1: x = [0.497, 0.559, 0.523]; `x.mean()`, `x.std(ddof=1)`,
    /// `scipy.stats.ttest_1samp(x, 0).confidence_interval(0.95)` and `(0.90)`.
    @Test func meanOfThreeSeedsMatchesScipy() throws {
        let estimate = try MeanEstimate(seeds: [2: 0.523, 0: 0.497, 1: 0.559])
        expectClose(estimate.mean, 0.5263333333333334, relative: 1e-14)
        expectClose(estimate.standardDeviation, 0.03113411847689501, relative: 1e-12)
        expectClose(estimate.interval?.lower, 0.4489918955027758, relative: 1e-12)
        expectClose(estimate.interval?.upper, 0.603674771163891, relative: 1e-12)
        let ninety = try MeanEstimate([0.497, 0.559, 0.523], level: 0.90)
        expectClose(ninety.interval?.lower, 0.47384574081451947, relative: 1e-12)
        expectClose(ninety.interval?.upper, 0.5788209258521474, relative: 1e-12)
    }

    /// The sum runs in seed order, not dictionary order: every ordering gives the same bits.
    @Test func seedOrderNotDictionaryOrderDecidesTheSum() throws {
        let values: [Int: Double] = [0: 0.1, 1: 0.2, 2: 0.3, 3: 1e-17, 4: 0.7]
        let reference = try MeanEstimate([0.1, 0.2, 0.3, 1e-17, 0.7])
        for _ in 0..<20 {
            let shuffled = Dictionary(uniqueKeysWithValues: values.shuffled())
            #expect(try MeanEstimate(seeds: shuffled) == reference)
        }
    }

    @Test func oneValueHasAMeanButNoInterval() throws {
        let estimate = try MeanEstimate(seeds: [7: 0.5])
        #expect(estimate.mean == 0.5)
        #expect(estimate.standardDeviation == nil)
        #expect(estimate.interval == nil)
        #expect(estimate.noIntervalReason?.contains("no interval is possible") == true)
        #expect(try MeanEstimate([1, 2]).noIntervalReason == nil)
    }

    @Test func identicalValuesGiveAZeroWidthInterval() throws {
        let estimate = try MeanEstimate([4e8, 4e8, 4e8])
        #expect(estimate.standardDeviation == 0)
        #expect(estimate.interval == ConfidenceInterval(lower: 4e8, upper: 4e8, level: 0.95))
    }

    @Test func noValuesAndNonFiniteValuesThrowNamingWhere() {
        #expect(throws: StatisticsError.noValues) { try MeanEstimate([]) }
        #expect(throws: StatisticsError.nonFinite(at: "seed 2", value: .infinity)) {
            try MeanEstimate(seeds: [1: 0.5, 2: .infinity, 3: 0.4])
        }
        do {
            _ = try MeanEstimate([0.5, .nan])
            Issue.record("a NaN gave a mean")
        } catch {
            #expect("\(error)" == "value 2 is NaN, not a number that can be used")
        }
    }

    @Test func negatedFlipsTheInterval() throws {
        let estimate = try MeanEstimate([1, 2, 4]).negated
        let original = try MeanEstimate([1, 2, 4])
        #expect(estimate.mean == -original.mean)
        #expect(estimate.interval?.lower == -original.interval!.upper)
        #expect(estimate.interval?.upper == -original.interval!.lower)
    }
}
