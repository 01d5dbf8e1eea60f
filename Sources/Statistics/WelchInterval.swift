/// The difference of the means of two independent samples with possibly unequal variances
/// (Welch): first mean − second mean ± t*_ν · √(s₁²/n₁ + s₂²/n₂), where ν is the
/// Welch–Satterthwaite degrees of freedom (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)).
/// Mirrors scipy `ttest_ind(first, second, equal_var=False)` (`df`, `confidence_interval()`).
/// Used for two programs run on the same study (FreezeStudy against YOLOv5's train.py), whose
/// seeds are not paired: each program draws its own data order.
public struct WelchInterval: Equatable, Sendable {
    /// The first sample's estimate (e.g. FreezeStudy's seeds).
    public let first: MeanEstimate
    /// The second sample's estimate (e.g. YOLOv5's seeds).
    public let second: MeanEstimate
    /// √(s₁²/n₁ + s₂²/n₂).
    public let standardError: Double
    /// ν of Welch–Satterthwaite (fractional). When both samples have no spread at all the
    /// standard error is 0, any ν gives the same zero-width interval, and n₁ + n₂ − 2 is recorded.
    public let degreesOfFreedom: Double
    /// The interval of first mean − second mean.
    public let interval: ConfidenceInterval

    /// The Welch interval of mean(first) − mean(second); each sample needs ≥ 2 finite values.
    public init(_ first: [Double], _ second: [Double], level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) {
        for (index, value) in first.enumerated() { _ = try requireFinite(value, at: "value \(index + 1) of the first sample") }
        for (index, value) in second.enumerated() { _ = try requireFinite(value, at: "value \(index + 1) of the second sample") }
        guard first.count >= 2 else { throw .tooFewValues(count: first.count, needed: 2) }
        guard second.count >= 2 else { throw .tooFewValues(count: second.count, needed: 2) }
        let a = try MeanEstimate(finite: first, level: level), b = try MeanEstimate(finite: second, level: level)
        self.first = a
        self.second = b
        // Squared standard errors of each mean: s²/n.
        let va = a.standardError! * a.standardError!, vb = b.standardError! * b.standardError!
        standardError = (va + vb).squareRoot()
        let difference = a.mean - b.mean
        if standardError == 0 {
            degreesOfFreedom = Double(a.count + b.count - 2)
            interval = ConfidenceInterval(lower: difference, upper: difference, level: level)
            return
        }
        degreesOfFreedom = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let halfWidth = StudentT(degreesOfFreedom: degreesOfFreedom).twoSidedCriticalValue(level: level) * standardError
        interval = ConfidenceInterval(lower: difference - halfWidth, upper: difference + halfWidth, level: level)
    }

    /// mean(first) − mean(second).
    public var difference: Double { first.mean - second.mean }
}
