import Foundation

/// A ratio of two positive quantities over seeds (frozen images/s ÷ none images/s, peak bytes ÷
/// peak bytes), estimated on the log scale: per seed log(other/baseline), their mean and
/// t-interval, then exp of each. The log makes a 2× speed-up and a 2× slow-down symmetric and a
/// ratio's right skew closer to normal; the back-transformed interval never crosses 0 and lies
/// above 1 exactly when the log interval lies above 0. The centre is the geometric mean of the
/// per-seed ratios.
public struct RatioEstimate: Equatable, Sendable {
    /// The estimate of log(ratio), in which the interval was computed.
    public let logRatio: MeanEstimate

    /// The estimate from the log-ratios' estimate.
    public init(logRatio: MeanEstimate) { self.logRatio = logRatio }

    /// The number of seeds.
    public var count: Int { logRatio.count }

    /// exp(mean log ratio): the geometric mean of the per-seed ratios.
    public var geometricMean: Double { exp(logRatio.mean) }

    /// [exp(lower), exp(upper)] of the log interval; nil when there is no log interval (n < 2).
    public var interval: ConfidenceInterval? {
        logRatio.interval.map { ConfidenceInterval(lower: exp($0.lower), upper: exp($0.upper), level: $0.level) }
    }
}
