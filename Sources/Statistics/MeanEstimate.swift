import Foundation

/// The mean of a few values (one per seed) with its sample standard deviation and Student's
/// t-interval: mean ± t*_{n−1} · s/√n. With one value there is no spread, hence no interval;
/// that is a value here (`interval == nil`, `noIntervalReason`), not a crash.
public struct MeanEstimate: Equatable, Sendable {
    /// n, the number of values.
    public let count: Int
    /// The arithmetic mean.
    public let mean: Double
    /// s = √(Σ(x − mean)² / (n − 1)); nil when n < 2.
    public let standardDeviation: Double?
    /// The t-interval of the mean at the level asked for; nil when n < 2.
    public let interval: ConfidenceInterval?

    /// The estimate of `values`, summed in the order given; throws on no values or a NaN/±∞.
    public init(_ values: [Double], level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) {
        for (index, value) in values.enumerated() { _ = try requireFinite(value, at: "value \(index + 1)") }
        try self.init(finite: values, level: level)
    }

    /// The estimate over seeds (`seed → value`), summed in ascending seed order so that the
    /// result does not depend on dictionary order; a NaN/±∞ throws naming its seed.
    public init(seeds values: [Int: Double], level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) {
        let seeds = values.keys.sorted()
        for seed in seeds { _ = try requireFinite(values[seed]!, at: "seed \(seed)") }
        try self.init(finite: seeds.map { values[$0]! }, level: level)
    }

    /// The estimate of values already checked to be finite.
    init(finite values: [Double], level: Double) throws(StatisticsError) {
        precondition(level > 0 && level < 1, "MeanEstimate: level \(level) must lie in (0, 1)")
        guard !values.isEmpty else { throw .noValues }
        count = values.count
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        self.mean = mean
        guard values.count >= 2 else {
            standardDeviation = nil
            interval = nil
            return
        }
        // Two passes (mean, then squared deviations): no cancellation of large sums.
        let s = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
        standardDeviation = s
        let halfWidth = StudentT(degreesOfFreedom: n - 1).twoSidedCriticalValue(level: level) * s / n.squareRoot()
        interval = ConfidenceInterval(lower: mean - halfWidth, upper: mean + halfWidth, level: level)
    }

    /// An estimate from its parts (for transformed estimates: negated, exponentiated).
    init(count: Int, mean: Double, standardDeviation: Double?, interval: ConfidenceInterval?) {
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.interval = interval
    }

    /// n − 1, the degrees of freedom of the t-interval.
    public var degreesOfFreedom: Int { count - 1 }

    /// s/√n; nil when n < 2.
    public var standardError: Double? { standardDeviation.map { $0 / Double(count).squareRoot() } }

    /// Why there is no interval, in words (nil when there is one).
    public var noIntervalReason: String? {
        interval == nil ? "one value has no spread, so no interval is possible (needs at least 2)" : nil
    }

    /// The estimate of −x (a drop from a change).
    public var negated: MeanEstimate {
        MeanEstimate(count: count, mean: -mean, standardDeviation: standardDeviation, interval: interval?.negated)
    }
}
