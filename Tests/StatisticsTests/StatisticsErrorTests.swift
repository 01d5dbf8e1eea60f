import Testing
@testable import Statistics

@Suite struct StatisticsErrorTests {
    /// Two NaNs found at the same place are the same error; a different value or place is not.
    @Test func equalityComparesPlaceAndValueWithNaNAsFound() {
        #expect(StatisticsError.nonFinite(at: "seed 1", value: .nan) == .nonFinite(at: "seed 1", value: .nan))
        #expect(StatisticsError.nonFinite(at: "seed 1", value: .nan) != .nonFinite(at: "seed 1", value: .infinity))
        #expect(StatisticsError.nonFinite(at: "seed 1", value: .nan) != .nonFinite(at: "seed 2", value: .nan))
        #expect(StatisticsError.notPositive(at: "seed 1", value: 0) != .notPositive(at: "seed 1", value: -1))
        #expect(StatisticsError.notPositive(at: "seed 1", value: 0) != .negative(at: "seed 1", value: 0))
        #expect(StatisticsError.tooFewValues(count: 1, needed: 2) != .lengthsDiffer(first: 1, second: 2))
    }

    @Test func descriptionsReadAsSentences() {
        #expect("\(StatisticsError.nonFinite(at: "seed 2 of the baseline", value: .nan))" == "seed 2 of the baseline is NaN, not a number that can be used")
        #expect("\(StatisticsError.nonFinite(at: "seed 2", value: -.infinity))" == "seed 2 is -inf, not a number that can be used")
        #expect("\(StatisticsError.notPositive(at: "seed 0 of the baseline", value: 0.0))" == "seed 0 of the baseline is 0.0, but a ratio needs positive values")
        #expect("\(StatisticsError.tooFewValues(count: 1, needed: 2))" == "1 value, but at least 2 are needed")
        #expect("\(StatisticsError.noCommonSeeds(baseline: [0, 1], other: [2]))" == "no seed is present in both (baseline seeds [0, 1], other seeds [2])")
    }
}
