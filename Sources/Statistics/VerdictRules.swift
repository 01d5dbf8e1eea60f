import Foundation

/// The rules that decide the guide's claims from per-seed values, by 95 % intervals. None ever
/// decides on a difference inside its noise: when the interval straddles the threshold, or there
/// are fewer than `minimumSeeds` paired seeds, the verdict is "not shown with N seeds". A NaN or
/// ±∞ anywhere in the matched values gives "not available", never a verdict.
///
/// Inputs are `seed → value` for the baseline (usually `none`, or the less frozen of two
/// scenarios) and the frozen scenario; seeds are matched (`PairedSample`).
public enum VerdictRules {
    /// Every rule's interval level: 95 %, two-sided.
    public static let level = ConfidenceInterval.defaultLevel

    /// Fewest paired seeds a verdict rests on. With 2 the t-interval has one degree of freedom
    /// (t* = 12.7), rests entirely on normality and is too wide to decide anything real; the
    /// study design asks for 3 or more.
    public static let minimumSeeds = 3

    /// "Costs little accuracy" holds when the upper end of the relative drop's 95 % interval is
    /// below this: 10 % of the baseline's mAP. Why 10 %: the guide calls all its drops slight, the
    /// largest being 7.2 % (all-but-detect, mAP@0.5:0.95); an equivalence margin must lie strictly
    /// above the largest drop the claim means to cover, or even the guide's own result could
    /// never pass (an interval centred on 7.2 % always reaches above 7.2 %). 10 % is the first
    /// round fraction above it, and it is the limit the single-seed report already used, fixed
    /// before any multi-seed result existed. Testing the upper end of the two-sided 95 % interval
    /// is a one-sided non-inferiority test at 2.5 % (TOST's lower half), stricter than TOST at 5 %
    /// (which would use a 90 % interval), and checkable from the interval the report prints.
    public static let littleAccuracyCostMargin = 0.10

    /// "Costs accuracy": the per-seed relative drop 1 − frozen/baseline (`PairedSample
    /// .relativeDifference`, negated) has a 95 % interval above 0. Below 0 (a gain): does not hold.
    public static func costsAccuracy(baseline: [Int: Double], frozen: [Int: Double]) -> IntervalVerdict {
        relativeDrop(baseline, frozen) { drop, sample in
            decide(drop, seeds: sample.count, threshold: 0, claimIsAbove: true,
                   what: "drop", thresholdText: "0", format: Wording.percent, unmatched: sample.unmatchedSeeds)
        }
    }

    /// "Costs little accuracy" (equivalence): the relative drop's 95 % interval lies below
    /// `littleAccuracyCostMargin`. Wholly above the margin: does not hold (it costs more).
    public static func costsLittleAccuracy(baseline: [Int: Double], frozen: [Int: Double]) -> IntervalVerdict {
        relativeDrop(baseline, frozen) { drop, sample in
            decide(drop, seeds: sample.count, threshold: littleAccuracyCostMargin, claimIsAbove: false,
                   what: "drop", thresholdText: "the margin \(Wording.percent(littleAccuracyCostMargin))",
                   format: Wording.percent, unmatched: sample.unmatchedSeeds)
        }
    }

    /// The guide's "lowers accuracy slightly": both `costsAccuracy` and `costsLittleAccuracy`.
    /// Holds when both hold; does not hold when either does not (a gain, or a drop beyond the
    /// margin); not available when either is; otherwise not shown.
    public static func lowersAccuracySlightly(baseline: [Int: Double], frozen: [Int: Double]) -> IntervalVerdict {
        let costs = costsAccuracy(baseline: baseline, frozen: frozen)
        let little = costsLittleAccuracy(baseline: baseline, frozen: frozen)
        let outcomes = [costs.outcome, little.outcome]
        let outcome: IntervalVerdict.Outcome =
            outcomes.contains(.notAvailable) ? .notAvailable
            : outcomes.allSatisfy { $0 == .holds } ? .holds
            : outcomes.contains(.doesNotHold) ? .doesNotHold
            : .notShown
        return IntervalVerdict(outcome, reason: "costs accuracy: \(costs.reason); costs little accuracy: \(little.reason)",
                               seeds: costs.seeds, estimate: costs.estimate, interval: costs.interval)
    }

    /// "Speeds up": the ratio of rates frozen/baseline (images/s) has a 95 % interval above 1
    /// (`RatioEstimate`, on log-ratios). Wholly below 1: does not hold (it slows down).
    public static func speedsUp(baseline: [Int: Double], frozen: [Int: Double]) -> IntervalVerdict {
        ratio(baseline, frozen, claimIsAbove: true, what: "speed-up (images/s ratio)")
    }

    /// "Takes less time": the ratio of durations frozen/baseline (epoch seconds, time to target)
    /// has a 95 % interval below 1. Wholly above 1: does not hold.
    public static func takesLessTime(baseline: [Int: Double], frozen: [Int: Double]) -> IntervalVerdict {
        ratio(baseline, frozen, claimIsAbove: false, what: "time ratio")
    }

    /// "Uses less memory": the ratio of peak bytes frozen/baseline has a 95 % interval below 1.
    /// A deterministic meter (same bytes every seed) gives a zero-width interval: no noise, so
    /// the ratio itself decides. Wholly above 1: does not hold.
    public static func usesLessMemory(baseline: [Int: Double], frozen: [Int: Double]) -> IntervalVerdict {
        ratio(baseline, frozen, claimIsAbove: false, what: "memory ratio")
    }

    /// Two programs agree on a quantity (issue "What counts as agreement") when 0 lies inside the
    /// Welch 95 % interval of the difference of their means: holds when it does, does not hold when
    /// the interval excludes 0. Each side needs `minimumSeeds` values. Agreement "within noise" is
    /// only as strong as the interval is narrow; the reason states its width.
    public static func agree(_ first: [Double], _ second: [Double]) -> IntervalVerdict {
        let welch: WelchInterval
        do { welch = try WelchInterval(first, second, level: level) } catch { return .notAvailable(error) }
        let seeds = min(first.count, second.count)
        let figures = "difference \(Wording.number(welch.difference)) (\(Wording.level(level)) Welch interval "
            + "\(Wording.number(welch.interval.lower)) to \(Wording.number(welch.interval.upper)), "
            + "ν = \(Wording.plain(welch.degreesOfFreedom)), \(first.count) and \(second.count) values)"
        guard seeds >= minimumSeeds else {
            return IntervalVerdict(.notShown, reason: "not shown with \(Wording.seeds(seeds)): a verdict needs at least \(minimumSeeds) per side; \(figures)",
                                   seeds: seeds, estimate: welch.difference, interval: welch.interval)
        }
        let agrees = welch.interval.contains(0)
        return IntervalVerdict(agrees ? .holds : .doesNotHold,
                               reason: "\(figures): the interval \(agrees ? "includes" : "excludes") 0",
                               seeds: seeds, estimate: welch.difference, interval: welch.interval)
    }

    // MARK: - Shared steps

    /// Pairs the seeds, takes per-seed relative drops 1 − frozen/baseline, and hands them on.
    private static func relativeDrop(_ baseline: [Int: Double], _ frozen: [Int: Double],
                                     decide: (MeanEstimate, PairedSample) -> IntervalVerdict) -> IntervalVerdict {
        do {
            let sample = try PairedSample(baseline: baseline, other: frozen)
            return decide(try sample.relativeDifference(level: level).negated, sample)
        } catch { return .notAvailable(error) }
    }

    /// Pairs the seeds and decides on the per-seed ratio frozen/baseline against 1.
    private static func ratio(_ baseline: [Int: Double], _ frozen: [Int: Double], claimIsAbove: Bool, what: String) -> IntervalVerdict {
        do {
            let sample = try PairedSample(baseline: baseline, other: frozen)
            let ratio = try sample.ratio(level: level)
            // Decided on the log scale (0 ↔ ratio 1), worded on the ratio scale.
            let verdict = decide(ratio.logRatio, seeds: sample.count, threshold: 0, claimIsAbove: claimIsAbove,
                                 what: what, thresholdText: "1", format: { Wording.ratio(exp($0)) }, unmatched: sample.unmatchedSeeds)
            return IntervalVerdict(verdict.outcome, reason: verdict.reason, seeds: verdict.seeds,
                                   estimate: ratio.geometricMean, interval: ratio.interval)
        } catch { return .notAvailable(error) }
    }

    /// The core rule: holds when the interval lies wholly on the claim's side of `threshold`,
    /// does not hold when wholly on the other, otherwise (or with too few seeds) not shown.
    private static func decide(_ estimate: MeanEstimate, seeds: Int, threshold: Double, claimIsAbove: Bool,
                               what: String, thresholdText: String, format: (Double) -> String, unmatched: [Int]) -> IntervalVerdict {
        let left = unmatched.isEmpty ? "" : " (seeds \(unmatched.map(String.init).joined(separator: ", ")) recorded on one side only are left out)"
        guard seeds >= minimumSeeds, let interval = estimate.interval else {
            let figures = estimate.interval.map { Wording.estimate(estimate.mean, $0, seeds: seeds, format) }
                ?? "\(format(estimate.mean)) (\(Wording.seeds(seeds)), no interval)"
            return IntervalVerdict(.notShown, reason: "not shown with \(Wording.seeds(seeds)): a verdict needs at least \(minimumSeeds) paired seeds; \(what) \(figures)\(left)",
                                   seeds: seeds, estimate: estimate.mean, interval: estimate.interval)
        }
        let figures = "\(what) \(Wording.estimate(estimate.mean, interval, seeds: seeds, format))"
        let above = interval.isAbove(threshold), below = interval.isBelow(threshold)
        let outcome: IntervalVerdict.Outcome = (above || below) ? ((above == claimIsAbove) ? .holds : .doesNotHold) : .notShown
        let reason = switch outcome {
        case .holds, .doesNotHold: "\(figures): the interval lies \(above ? "above" : "below") \(thresholdText)\(left)"
        default: "not shown with \(Wording.seeds(seeds)): \(figures): the interval includes \(thresholdText)\(left)"
        }
        return IntervalVerdict(outcome, reason: reason, seeds: seeds, estimate: estimate.mean, interval: interval)
    }
}
