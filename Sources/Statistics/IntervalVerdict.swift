/// A verdict on one claim for one comparison, decided by a confidence interval, with the
/// reason in words and the figures that decided it.
public struct IntervalVerdict: Equatable, Sendable {
    /// What the interval shows.
    public enum Outcome: String, Equatable, Sendable {
        /// The interval lies wholly on the claim's side.
        case holds = "holds"
        /// The interval lies wholly on the opposite side: the contrary is shown.
        case doesNotHold = "does not hold"
        /// The interval straddles the threshold, or there are too few seeds: the data cannot
        /// tell (the difference is inside its noise). Never read as "holds" or "does not hold".
        case notShown = "not shown"
        /// A value needed is missing or not a number (NaN, ±∞, no common seed).
        case notAvailable = "not available"
    }

    /// What the interval showed.
    public let outcome: Outcome
    /// Why, in words, with the figures: "drop +4.60 % (95 % interval +2.10 % to +7.10 %, 3 seeds) lies above 0".
    public let reason: String
    /// The number of seeds (or values) the decision rests on; 0 when not available.
    public let seeds: Int
    /// The point estimate the rule looked at (mean drop, geometric-mean ratio, difference); nil when not available.
    public let estimate: Double?
    /// Its interval; nil when not available or too few seeds for one.
    public let interval: ConfidenceInterval?

    /// A verdict with its figures.
    public init(_ outcome: Outcome, reason: String, seeds: Int, estimate: Double? = nil, interval: ConfidenceInterval? = nil) {
        self.outcome = outcome
        self.reason = reason
        self.seeds = seeds
        self.estimate = estimate
        self.interval = interval
    }

    /// A verdict that could not be reached because `error` says a value is missing or unusable.
    static func notAvailable(_ error: StatisticsError) -> IntervalVerdict {
        IntervalVerdict(.notAvailable, reason: "not available: \(error)", seeds: 0)
    }

    /// Whether the claim is shown to hold (the only outcome a report may call a confirmation).
    public var holds: Bool { outcome == .holds }
}
