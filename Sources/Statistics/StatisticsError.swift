/// Why a statistic cannot be computed from the values given. Each case reads as a sentence
/// (`description`), so a report can print it where the number would have been.
public enum StatisticsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No value at all (no seed recorded).
    case noValues
    /// A NaN or ±∞ where a measurement was expected; `at` says where ("seed 2", "epoch 4").
    case nonFinite(at: String, value: Double)
    /// A ratio or relative difference needs a positive value; `at` says where.
    case notPositive(at: String, value: Double)
    /// A duration or count that cannot be negative is; `at` says where.
    case negative(at: String, value: Double)
    /// The statistic needs at least `needed` values and has `count`.
    case tooFewValues(count: Int, needed: Int)
    /// Two series that go together (seconds and mAP per epoch) have different lengths.
    case lengthsDiffer(first: Int, second: Int)
    /// A paired comparison found no seed present on both sides.
    case noCommonSeeds(baseline: [Int], other: [Int])
    /// Cumulative wall time goes backwards at `at`.
    case timeDecreases(at: String)

    /// Same case, same place, same value; two NaNs count as the same value (an error reports
    /// what was found, and NaN is what was found).
    public static func == (lhs: StatisticsError, rhs: StatisticsError) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
        switch (lhs, rhs) {
        case (.noValues, .noValues): return true
        case let (.nonFinite(a, x), .nonFinite(b, y)), let (.notPositive(a, x), .notPositive(b, y)), let (.negative(a, x), .negative(b, y)):
            return a == b && same(x, y)
        case let (.tooFewValues(a, b), .tooFewValues(c, d)), let (.lengthsDiffer(a, b), .lengthsDiffer(c, d)):
            return a == c && b == d
        case let (.noCommonSeeds(a, b), .noCommonSeeds(c, d)): return a == c && b == d
        case let (.timeDecreases(a), .timeDecreases(b)): return a == b
        default: return false
        }
    }

    /// The error as a sentence, e.g. "seed 2 of the baseline is NaN, not a number that can be used".
    public var description: String {
        switch self {
        case .noValues:
            "no values"
        case let .nonFinite(at, value):
            "\(at) is \(value.isNaN ? "NaN" : "\(value)"), not a number that can be used"
        case let .notPositive(at, value):
            "\(at) is \(value), but a ratio needs positive values"
        case let .negative(at, value):
            "\(at) is \(value), but it cannot be negative"
        case let .tooFewValues(count, needed):
            "\(count) value\(count == 1 ? "" : "s"), but at least \(needed) are needed"
        case let .lengthsDiffer(first, second):
            "the series have different lengths (\(first) and \(second))"
        case let .noCommonSeeds(baseline, other):
            "no seed is present in both (baseline seeds \(baseline), other seeds \(other))"
        case let .timeDecreases(at):
            "cumulative wall time decreases at \(at)"
        }
    }
}

/// `value` itself, or `.nonFinite` naming `at`.
func requireFinite(_ value: Double, at: @autoclosure () -> String) throws(StatisticsError) -> Double {
    guard value.isFinite else { throw .nonFinite(at: at(), value: value) }
    return value
}

/// `value` itself if finite and ≥ 0, else the matching error naming `at`.
func requireNonNegative(_ value: Double, at: @autoclosure () -> String) throws(StatisticsError) -> Double {
    let value = try requireFinite(value, at: at())
    guard value >= 0 else { throw .negative(at: at(), value: value) }
    return value
}

/// `value` itself if finite and > 0, else the matching error naming `at`.
func requirePositive(_ value: Double, at: @autoclosure () -> String) throws(StatisticsError) -> Double {
    let value = try requireFinite(value, at: at())
    guard value > 0 else { throw .notPositive(at: at(), value: value) }
    return value
}
