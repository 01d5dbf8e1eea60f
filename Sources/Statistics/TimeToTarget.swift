/// Wall time until a run first reaches a target accuracy (issue: "the wall time to reach 95 % of
/// `none`'s final mAP@0.5, or not reached"). Accuracy is only measured at epoch ends, so between
/// two epochs the curve is taken as linear in wall time; reached at the first epoch, the time is
/// that epoch's end (nothing was measured before it, so this is an upper bound).
public enum TimeToTarget {
    /// The target as a fraction of the baseline's final value: 95 %.
    public static let targetFraction = 0.95

    /// Whether, and when, a curve reached its target.
    public enum Outcome: Equatable, Sendable {
        /// First reached after `seconds` of wall time, within epoch `epoch` (0-based).
        case reached(seconds: Double, epoch: Int)
        /// Never reached in the recorded epochs.
        case notReached

        /// The wall time, if reached.
        public var seconds: Double? {
            if case let .reached(seconds, _) = self { return seconds }
            return nil
        }
    }

    /// The wall time at which `curve` first reaches `target` (value ≥ target), linearly
    /// interpolated between the epoch below and the epoch at or above it. Throws on an empty
    /// curve, a NaN/±∞ target, or a NaN/±∞ value before the first epoch that reaches it (the
    /// answer would depend on it).
    public static func first(reaching target: Double, in curve: TrainingCurve) throws(StatisticsError) -> Outcome {
        _ = try requireFinite(target, at: "the target")
        guard !curve.values.isEmpty else { throw .noValues }
        for (epoch, value) in curve.values.enumerated() {
            _ = try requireFinite(value, at: "the value of epoch \(epoch)")
            guard value >= target else { continue }
            guard epoch > 0 else { return .reached(seconds: curve.cumulativeSeconds[0], epoch: 0) }
            // The previous epoch was below target, so the rise (value − previous) is positive.
            let previous = curve.values[epoch - 1]
            let start = curve.cumulativeSeconds[epoch - 1], end = curve.cumulativeSeconds[epoch]
            let seconds = start + (target - previous) / (value - previous) * (end - start)
            return .reached(seconds: seconds, epoch: epoch)
        }
        return .notReached
    }

    /// Each seed's target: `targetFraction` × that seed's baseline final value, so that a
    /// scenario is measured against the `none` run that saw the same data order (paired).
    /// Throws when a baseline value is NaN/±∞.
    public static func targets(baselineFinal: [Int: Double]) throws(StatisticsError) -> [Int: Double] {
        var targets: [Int: Double] = [:]
        for seed in baselineFinal.keys.sorted() {
            targets[seed] = targetFraction * (try requireFinite(baselineFinal[seed]!, at: "the baseline's final value of seed \(seed)"))
        }
        return targets
    }

    /// Time to target over seeds.
    public struct Summary: Equatable, Sendable {
        /// Each matched seed's outcome.
        public let outcomes: [Int: Outcome]
        /// Seeds with a curve but no target, or a target but no curve (left out).
        public let unmatchedSeeds: [Int]
        /// Mean and t-interval of the wall times, only when every seed reached the target: a mean
        /// over the seeds that did would be biased towards the fast ones.
        public let estimate: MeanEstimate?

        /// The seeds that never reached the target, ascending.
        public var notReachedSeeds: [Int] { outcomes.filter { $0.value == .notReached }.map(\.key).sorted() }

        /// Why there is no estimate, in words (nil when there is one).
        public var noEstimateReason: String? {
            let missing = notReachedSeeds
            guard !missing.isEmpty else { return nil }
            return "not reached in seed\(missing.count == 1 ? "" : "s") \(missing.map(String.init).joined(separator: ", ")) "
                + "(reached in \(outcomes.count - missing.count) of \(outcomes.count))"
        }
    }

    /// Per seed (matched between `curves` and `targets`), the time to that seed's target, and
    /// their mean and interval when all reached it. Throws when no seed is matched or a curve or
    /// target is unusable (naming the seed).
    public static func summary(curves: [Int: TrainingCurve], targets: [Int: Double],
                               level: Double = ConfidenceInterval.defaultLevel) throws(StatisticsError) -> Summary {
        let seeds = Set(curves.keys).intersection(targets.keys).sorted()
        guard !seeds.isEmpty else { throw .noCommonSeeds(baseline: targets.keys.sorted(), other: curves.keys.sorted()) }
        var outcomes: [Int: Outcome] = [:]
        for seed in seeds {
            do { outcomes[seed] = try first(reaching: targets[seed]!, in: curves[seed]!) } catch {
                throw error.naming("seed \(seed)")
            }
        }
        let times = seeds.compactMap { outcomes[$0]!.seconds }
        let estimate = times.count == seeds.count ? try MeanEstimate(finite: times, level: level) : nil
        return Summary(outcomes: outcomes, unmatchedSeeds: Set(curves.keys).symmetricDifference(targets.keys).sorted(), estimate: estimate)
    }
}

extension StatisticsError {
    /// The same error with `owner` in front of where it happened ("seed 2: the value of epoch 3").
    func naming(_ owner: String) -> StatisticsError {
        switch self {
        case let .nonFinite(at, value): .nonFinite(at: "\(owner): \(at)", value: value)
        case let .notPositive(at, value): .notPositive(at: "\(owner): \(at)", value: value)
        case let .negative(at, value): .negative(at: "\(owner): \(at)", value: value)
        case let .timeDecreases(at): .timeDecreases(at: "\(owner): \(at)")
        default: self
        }
    }
}
