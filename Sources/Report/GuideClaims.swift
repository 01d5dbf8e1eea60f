import Foundation
import Results
import Statistics

/// The guide's three claims, checked one by one against a study's runs, seed by seed, by the
/// interval rules of `VerdictRules`: a claim holds or fails only when the 95 % interval of the
/// paired comparison lies wholly on one side; otherwise it is "not shown with N seeds".
/// A frozen scenario is one with frozen parameters, compared against `none` on the same seeds.
public enum GuideClaims {
    /// The claims (a) speed, (b) accuracy, (c) memory, in that order.
    public static func check(_ study: StudySummary) -> [ClaimCheck] {
        [speed(study), accuracy(study), memory(study)]
    }

    static let seedRule = "Seeds are paired (for one seed every scenario saw the same data order, augmentation and initialisation); with fewer than \(VerdictRules.minimumSeeds) paired seeds, or an interval that includes the threshold, the verdict is “not shown with N seeds”, never a decision on a difference inside its noise."

    /// (a) Freezing speeds training up: images/s and epoch time of each frozen scenario against
    /// `none`. Uses every scenario with recorded epochs (a running one included).
    static func speed(_ study: StudySummary) -> ClaimCheck {
        let claim = "Freezing speeds training up."
        let criterion = "**speeds up** when the 95 % interval of the per-seed ratio images/s ÷ images/s of none (on the log scale) lies above 1, and **takes less time** when that of epoch time ÷ epoch time of none lies below 1; both → holds. " + seedRule
        guard let none = study.baseline, none.epochsRecorded > 0 else {
            return ClaimCheck(id: "a", claim: claim, criterion: criterion, findings: [], notCheckedBecause: "no `none` scenario with timings recorded")
        }
        let frozen = frozenScenarios(study).filter { $0.epochsRecorded > 0 }
        guard !frozen.isEmpty else {
            return ClaimCheck(id: "a", claim: claim, criterion: criterion, findings: [], notCheckedBecause: "no frozen scenario with recorded epochs")
        }
        let findings = frozen.map { scenario -> ClaimCheck.Finding in
            let rate = VerdictRules.speedsUp(baseline: none.values(Quantities.imagesPerSecond), frozen: scenario.values(Quantities.imagesPerSecond))
            let time = VerdictRules.takesLessTime(baseline: none.values(Quantities.epochSeconds), frozen: scenario.values(Quantities.epochSeconds))
            var text = scenario.isComplete ? [] : [runningNote(scenario)]
            text.append("images/s: \(rate.reason)")
            text.append("epoch time: \(time.reason)")
            if let guide = GuideReference.row(for: scenario.name) {
                text.append("guide: \(DisplayFormat.ratio(GuideReference.speedUp(guide))) in training time (one run)")
            }
            return ClaimCheck.Finding(subject: scenario.name, verdict: Verdict.combine([Verdict(rate.outcome), Verdict(time.outcome)]),
                                      text: text.joined(separator: "; "), seeds: min(rate.seeds, time.seeds))
        }
        return ClaimCheck(id: "a", claim: claim, criterion: criterion, findings: findings)
    }

    /// (b) Accuracy drops slightly: final mAP@0.5 and mAP@0.5:0.95 of each complete frozen
    /// scenario against a complete `none`.
    static func accuracy(_ study: StudySummary) -> ClaimCheck {
        let claim = "Freezing lowers final accuracy slightly."
        let margin = DisplayFormat.percent(VerdictRules.littleAccuracyCostMargin, decimals: 0)
        let criterion = "On final mAP (last epoch), per seed the relative drop 1 − scenario ÷ none; **costs accuracy** when its 95 % interval lies above 0, **costs little accuracy** when it lies below \(margin) (equivalence margin: the guide's largest drop is 7.2 %); “lowers slightly” holds when both hold on a metric, does not hold when either fails (a gain, or a drop beyond \(margin)); both metrics must agree. Only complete scenarios count. " + seedRule
        guard let none = study.baseline, none.isComplete, none.finalMAP50 != nil else {
            return ClaimCheck(id: "b", claim: claim, criterion: criterion, findings: [], notCheckedBecause: "no complete `none` scenario with mAP recorded")
        }
        let frozen = frozenScenarios(study)
        let complete = frozen.filter(\.isComplete)
        let excluded = frozen.filter { !$0.isComplete }.map { "`\($0.name)` (\(runningNote($0)))" }
        guard !complete.isEmpty else {
            return ClaimCheck(id: "b", claim: claim, criterion: criterion, findings: [], excluded: excluded, notCheckedBecause: "no complete frozen scenario")
        }
        let findings = complete.map { scenario -> ClaimCheck.Finding in
            var verdicts: [IntervalVerdict] = [], text: [String] = []
            for (quantity, metric) in [(Quantities.finalMAP50, \GuideReference.Row.map50), (Quantities.finalMAP50to95, \GuideReference.Row.map50to95)] {
                let verdict = VerdictRules.lowersAccuracySlightly(baseline: none.values(quantity), frozen: scenario.values(quantity))
                verdicts.append(verdict)
                var line = "\(quantity.label) \(IntervalFormat.meanWithInterval(scenario.estimate(quantity), quantity.format)) vs \(IntervalFormat.meanWithInterval(none.estimate(quantity), quantity.format)) — **\(verdict.outcome.rawValue)**: \(verdict.reason)"
                if let guide = GuideReference.row(for: scenario.name) {
                    line += " (guide: \(DisplayFormat.change(GuideReference.relativeChange(guide, metric))), one run)"
                }
                text.append(line)
            }
            return ClaimCheck.Finding(subject: scenario.name, verdict: Verdict.combine(verdicts.map { Verdict($0.outcome) }),
                                      text: text.joined(separator: "; "), seeds: verdicts.map(\.seeds).min() ?? 0)
        }
        return ClaimCheck(id: "b", claim: claim, criterion: criterion, findings: findings, excluded: excluded)
    }

    /// (c) The more is frozen, the less memory: peak tracked memory of each scenario against the
    /// next less frozen one, ordered by frozen parameters. Uses every scenario with recorded epochs.
    static func memory(_ study: StudySummary) -> ClaimCheck {
        let claim = "The more is frozen, the less memory is used."
        let criterion = "Scenarios ordered by frozen parameters; each against the next less frozen one, **uses less memory** when the 95 % interval of the per-seed ratio of peak memory (live tensor bytes) lies below 1. The meter counts bytes, so seeds usually agree exactly and the interval has no width. " + seedRule + " The guide's second half, lower GPU utilisation, has no CPU counterpart and is not checked: “Where the time goes” shows what freezing saves instead."
        let scenarios = study.scenarios.filter { $0.epochsRecorded > 0 }.sorted { $0.info.frozenParameters < $1.info.frozenParameters }
        guard Set(scenarios.map(\.info.frozenParameters)).count >= 2 else {
            return ClaimCheck(id: "c", claim: claim, criterion: criterion, findings: [],
                              notCheckedBecause: "needs recorded epochs of at least two scenarios with different frozen parameter counts")
        }
        var findings: [ClaimCheck.Finding] = []
        for (less, more) in zip(scenarios, scenarios.dropFirst()) where more.info.frozenParameters > less.info.frozenParameters {
            let quantity = Quantities.trackedPeakBytes
            let verdict = VerdictRules.usesLessMemory(baseline: less.values(quantity), frozen: more.values(quantity))
            let text = "\(DisplayFormat.count(more.info.frozenParameters)) vs \(DisplayFormat.count(less.info.frozenParameters)) frozen parameters; "
                + "\(IntervalFormat.meanWithInterval(more.estimate(quantity), quantity.format)) vs \(IntervalFormat.meanWithInterval(less.estimate(quantity), quantity.format)): \(verdict.reason)"
            findings.append(.init(subject: "`\(more.name)` vs `\(less.name)`", verdict: Verdict(verdict.outcome), text: text, seeds: verdict.seeds))
        }
        return ClaimCheck(id: "c", claim: claim, criterion: criterion, findings: findings)
    }

    /// Scenarios other than `none` with frozen parameters, in recorded order.
    static func frozenScenarios(_ study: StudySummary) -> [ScenarioSummary] {
        study.scenarios.filter { $0.name != StudySummary.baselineName && $0.info.frozenParameters > 0 }
    }

    static func runningNote(_ scenario: ScenarioSummary) -> String {
        "running, \(DisplayFormat.epochs(scenario.epochsRecorded))" + (scenario.epochsPlanned.map { " of \($0)" } ?? "")
    }
}
