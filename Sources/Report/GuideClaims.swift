import Foundation
import Results

/// The guide's three claims, checked one by one against a study's numbers (`ScenarioSummary`).
/// A frozen scenario is one with frozen parameters, compared against `none`.
public enum GuideClaims {
    /// Timing noise: a run counts as faster only with a speed-up of at least 1 + this (5 %).
    public static let timingMargin = 0.05
    /// "Slightly" lower accuracy: at most this relative drop (10 %). The guide's own drops are
    /// backbone −0.2 % / −0.9 % and layers 0-23 −4.6 % / −7.2 % (mAP@0.5 / mAP@0.5:0.95).
    public static let slightDropLimit = 0.10
    /// Utilisation noise: lower only by at least this many percentage points (2 points).
    public static let utilizationMargin = 0.02

    /// The claims (a) speed, (b) accuracy, (c) memory and utilisation, in that order.
    public static func check(_ study: StudySummary) -> [ClaimCheck] {
        [speed(study), accuracy(study), memoryAndUtilization(study)]
    }

    /// (a) Freezing speeds training up: images/s and wall time per epoch of each frozen scenario
    /// against `none`. Uses every scenario with recorded epochs (a running one included).
    static func speed(_ study: StudySummary) -> ClaimCheck {
        let claim = "Freezing speeds training up."
        let criterion = "A frozen scenario is faster when images/s ÷ images/s of none ≥ \(1 + timingMargin) and mean epoch time of none ÷ its mean epoch time ≥ \(1 + timingMargin) (margin for timing noise); faster on one measure only is mixed."
        guard let none = study.baseline, none.imagesPerSecond != nil || none.meanEpochSeconds != nil else {
            return ClaimCheck(id: "a", claim: claim, criterion: criterion, findings: [], notCheckedBecause: "no `none` scenario with timings recorded")
        }
        let frozen = frozenScenarios(study).filter { $0.epochsRecorded > 0 }
        guard !frozen.isEmpty else {
            return ClaimCheck(id: "a", claim: claim, criterion: criterion, findings: [], notCheckedBecause: "no frozen scenario with recorded epochs")
        }
        let findings = frozen.map { scenario -> ClaimCheck.Finding in
            var parts: [Bool] = [], text: [String] = scenario.isComplete ? [] : [runningNote(scenario)]
            if let speedUp = scenario.speedUp {
                parts.append(speedUp >= 1 + timingMargin)
                text.append("\(DisplayFormat.fixed(scenario.imagesPerSecond, 1)) vs \(DisplayFormat.fixed(none.imagesPerSecond, 1)) images/s (\(DisplayFormat.ratio(speedUp)))")
            }
            if let wallSpeedUp = scenario.wallSpeedUp {
                parts.append(wallSpeedUp >= 1 + timingMargin)
                text.append("mean epoch \(DisplayFormat.seconds(scenario.meanEpochSeconds)) vs \(DisplayFormat.seconds(none.meanEpochSeconds)) (\(DisplayFormat.ratio(wallSpeedUp)))")
            }
            if let guide = GuideReference.row(for: scenario.name) {
                text.append("guide: \(DisplayFormat.ratio(GuideReference.speedUp(guide))) in training time")
            }
            let verdict = parts.isEmpty ? Verdict.notChecked : Verdict.of(parts)
            return ClaimCheck.Finding(subject: scenario.name, verdict: verdict, text: text.joined(separator: "; "))
        }
        return ClaimCheck(id: "a", claim: claim, criterion: criterion, findings: findings)
    }

    /// (b) Accuracy drops slightly: final mAP@0.5 and mAP@0.5:0.95 of each complete frozen
    /// scenario against a complete `none`.
    static func accuracy(_ study: StudySummary) -> ClaimCheck {
        let claim = "Freezing lowers final accuracy slightly."
        let criterion = "On final mAP (last epoch), a frozen scenario drops slightly when it is below none by more than 0 and at most \(Int(slightDropLimit * 100)) % relative, on both mAP@0.5 and mAP@0.5:0.95 (the guide's largest drop is 7.2 %); on one metric only is mixed. Only complete scenarios count."
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
            var parts: [Bool] = [], text: [String] = []
            for (label, ours, theirs, metric) in [("mAP@0.5", scenario.finalMAP50, none.finalMAP50, \GuideReference.Row.map50),
                                                  ("mAP@0.5:0.95", scenario.finalMAP50to95, none.finalMAP50to95, \GuideReference.Row.map50to95)] {
                guard let ours, let theirs, theirs > 0 else { continue }
                let change = ours / theirs - 1
                let slight = change < 0 && -change <= slightDropLimit
                parts.append(slight)
                let kind = change >= 0 ? "no drop" : (slight ? "slight drop" : "large drop")
                var line = "\(label) \(DisplayFormat.fixed(ours, 3)) vs \(DisplayFormat.fixed(theirs, 3)) (\(DisplayFormat.change(change)), \(kind)"
                if let guide = GuideReference.row(for: scenario.name) {
                    line += "; guide \(DisplayFormat.change(GuideReference.relativeChange(guide, metric)))"
                }
                text.append(line + ")")
            }
            text.append("best \(DisplayFormat.fixed(scenario.bestMAP50, 3)) / \(DisplayFormat.fixed(scenario.bestMAP50to95, 3)) vs \(DisplayFormat.fixed(none.bestMAP50, 3)) / \(DisplayFormat.fixed(none.bestMAP50to95, 3))")
            let verdict = parts.isEmpty ? Verdict.notChecked : Verdict.of(parts)
            return ClaimCheck.Finding(subject: scenario.name, verdict: verdict, text: text.joined(separator: "; "))
        }
        return ClaimCheck(id: "b", claim: claim, criterion: criterion, findings: findings, excluded: excluded)
    }

    /// (c) The more is frozen, the less memory and the lower the utilisation: peak tracked memory
    /// and mean CPU utilisation ordered against frozen parameter count, over every pair of
    /// scenarios with different frozen counts. Uses every scenario with recorded epochs.
    static func memoryAndUtilization(_ study: StudySummary) -> ClaimCheck {
        let claim = "The more is frozen, the less memory is used and the lower the utilisation."
        let criterion = "For every pair of scenarios where one freezes more parameters, it must have the lower peak memory (tracked live tensors, strictly lower) and a CPU utilisation at least \(Int(utilizationMargin * 100)) percentage points lower. Memory ordered but utilisation not (or the reverse) is mixed."
        let scenarios = study.scenarios.filter { $0.epochsRecorded > 0 }.sorted { $0.info.frozenParameters < $1.info.frozenParameters }
        guard Set(scenarios.map(\.info.frozenParameters)).count >= 2 else {
            return ClaimCheck(id: "c", claim: claim, criterion: criterion, findings: [],
                              notCheckedBecause: "needs recorded epochs of at least two scenarios with different frozen parameter counts")
        }
        let memory = orderingFinding(scenarios, subject: "peak memory", value: \.trackedPeakBytes, format: DisplayFormat.bytes,
                                     lowerMeans: "below") { less, more in more < less }
        let cpu = orderingFinding(scenarios, subject: "CPU utilisation", value: \.cpuUtilization, format: { DisplayFormat.percent($0) },
                                  lowerMeans: "\(Int(utilizationMargin * 100)) points below") { less, more in more <= less - utilizationMargin }
        return ClaimCheck(id: "c", claim: claim, criterion: criterion, findings: [memory, cpu])
    }

    /// Whether `value` decreases (per `isLower(lessFrozen, moreFrozen)`) along frozen parameters.
    private static func orderingFinding(_ scenarios: [ScenarioSummary], subject: String, value: KeyPath<ScenarioSummary, Double?>,
                                        format: (Double?) -> String, lowerMeans: String,
                                        isLower: (Double, Double) -> Bool) -> ClaimCheck.Finding {
        let measured = scenarios.filter { $0[keyPath: value] != nil }
        let listing = measured.map { scenario in
            let running = scenario.isComplete ? "" : "; \(runningNote(scenario))"
            return "`\(scenario.name)` (\(DisplayFormat.count(scenario.info.frozenParameters)) frozen\(running)) \(format(scenario[keyPath: value]))"
        }.joined(separator: ", ")
        var violations: [String] = []
        for (i, less) in measured.enumerated() {
            for more in measured[(i + 1)...] where more.info.frozenParameters > less.info.frozenParameters {
                if !isLower(less[keyPath: value]!, more[keyPath: value]!) {
                    violations.append("`\(more.name)` \(format(more[keyPath: value])) is not \(lowerMeans) `\(less.name)` \(format(less[keyPath: value]))")
                }
            }
        }
        guard Set(measured.map(\.info.frozenParameters)).count >= 2 else {
            return .init(subject: subject, verdict: .notChecked, text: "not recorded for two scenarios with different frozen counts")
        }
        let text = "by frozen parameters: " + listing + (violations.isEmpty ? "" : " — " + violations.joined(separator: "; "))
        return .init(subject: subject, verdict: violations.isEmpty ? .holds : .doesNotHold, text: text)
    }

    /// Scenarios other than `none` with frozen parameters, in recorded order.
    static func frozenScenarios(_ study: StudySummary) -> [ScenarioSummary] {
        study.scenarios.filter { $0.name != StudySummary.baselineName && $0.info.frozenParameters > 0 }
    }

    private static func runningNote(_ scenario: ScenarioSummary) -> String {
        "running, \(DisplayFormat.epochs(scenario.epochsRecorded))" + (scenario.epochsPlanned.map { " of \($0)" } ?? "")
    }
}
