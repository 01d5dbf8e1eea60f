/// A two-sided confidence interval [lower, upper] at `level` (0.95 for 95 %).
public struct ConfidenceInterval: Equatable, Sendable {
    /// The level every interval of the report uses unless told otherwise.
    public static let defaultLevel = 0.95

    /// The lower end.
    public let lower: Double
    /// The upper end.
    public let upper: Double
    /// The coverage it was built for, e.g. 0.95.
    public let level: Double

    /// The interval [lower, upper] at `level`.
    public init(lower: Double, upper: Double, level: Double) {
        precondition(lower <= upper, "ConfidenceInterval: lower \(lower) above upper \(upper)")
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Whether `value` lies inside, ends included.
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// Whether the whole interval lies strictly above `value`.
    public func isAbove(_ value: Double) -> Bool { lower > value }

    /// Whether the whole interval lies strictly below `value`.
    public func isBelow(_ value: Double) -> Bool { upper < value }

    /// The interval of −x: [−upper, −lower].
    public var negated: ConfidenceInterval { ConfidenceInterval(lower: -upper, upper: -lower, level: level) }
}
