import Foundation

/// Two scenarios' values matched by seed: for one seed both saw the same data order,
/// augmentation draws and initialisation, so their difference removes what the seed decides.
/// Only seeds present on both sides are used; the others are listed, never silently mixed in.
/// Everything is computed per seed first, then summarised (mean and t-interval over seeds).
public struct PairedSample: Equatable, Sendable {
    /// The seeds present on both sides, ascending.
    public let seeds: [Int]
    /// The baseline's values (e.g. `none`), one per seed of `seeds`.
    public let baseline: [Double]
    /// The other scenario's values, one per seed of `seeds`.
    public let other: [Double]
    /// Seeds recorded on one side only (left out of every statistic).
    public let unmatchedSeeds: [Int]

    /// Matches `baseline` and `other` (`seed → value`) by seed. Throws when no seed is common or
    /// a matched value is NaN/±∞ (naming the side and seed).
    public init(baseline: [Int: Double], other: [Int: Double]) throws(StatisticsError) {
        let common = Set(baseline.keys).intersection(other.keys).sorted()
        guard !common.isEmpty else {
            throw .noCommonSeeds(baseline: baseline.keys.sorted(), other: other.keys.sorted())
        }
        for seed in common {
            _ = try requireFinite(baseline[seed]!, at: "seed \(seed) of the baseline")
            _ = try requireFinite(other[seed]!, at: "seed \(seed) of the other scenario")
        }
        seeds = common
        self.baseline = common.map { baseline[$0]! }
        self.other = common.map { other[$0]! }
        unmatchedSeeds = Set(baseline.keys).symmetricDifference(other.keys).sorted()
    }

    /// The number of matched seeds.
    public var count: Int { seeds.count }

    /// other − baseline per seed, then their mean and t-interval (a paired t-interval,
    /// scipy `ttest_rel(other, baseline).confidence_interval()`).
    public func difference(level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) -> MeanEstimate {
        try MeanEstimate(finite: zip(other, baseline).map { $0 - $1 }, level: level)
    }

    /// other / baseline − 1 per seed (the change in % of that seed's baseline), then their mean
    /// and t-interval. Chosen over the ratio of means with the delta method: with n = 3 the delta
    /// method's variance of a ratio rests on an estimated covariance from three points and is only
    /// right as n grows, whereas per-seed relative changes are ordinary numbers whose t-interval is
    /// exact if they are normal, and each is relative to its own paired baseline. Its mean is the
    /// mean of per-seed changes, which may differ slightly from (mean other)/(mean baseline) − 1.
    /// Throws when a baseline value is not positive.
    public func relativeDifference(level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) -> MeanEstimate {
        var changes: [Double] = []
        for (seed, (base, value)) in zip(seeds, zip(baseline, other)) {
            let base = try requirePositive(base, at: "seed \(seed) of the baseline")
            changes.append(value / base - 1)
        }
        return try MeanEstimate(finite: changes, level: level)
    }

    /// other / baseline per seed, summarised on the log scale and transformed back (see
    /// `RatioEstimate`). Throws when a value on either side is not positive.
    public func ratio(level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) -> RatioEstimate {
        var logRatios: [Double] = []
        for (seed, (base, value)) in zip(seeds, zip(baseline, other)) {
            let base = try requirePositive(base, at: "seed \(seed) of the baseline")
            let value = try requirePositive(value, at: "seed \(seed) of the other scenario")
            logRatios.append(log(value / base))
        }
        return RatioEstimate(logRatio: try MeanEstimate(finite: logRatios, level: level))
    }
}
