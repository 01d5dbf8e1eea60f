import Foundation
import Results
import Statistics

/// The sections of `report.md` that compare scenarios seed by seed: paired differences to
/// `none` and the time to reach `none`'s accuracy.
extension MarkdownReport {
    func pairedSection() -> String {
        guard let none = summary.baseline else { return "" }
        let frozen = summary.scenarios.filter { $0.name != StudySummary.baselineName }
        guard !frozen.isEmpty else { return "" }
        let rows = frozen.flatMap { scenario in Quantities.compared.map { PairedComparison(scenario, against: none, on: $0) } }
        return ["## Against none, seed by seed", "",
                "Each scenario minus `none` (accuracy) or divided by `none` (speed, time, memory) on the same seed, since for one seed both saw the same data order, augmentation and initialisation; then the mean over seeds with its 95 % t-interval (ratios on the log scale: geometric mean and back-transformed interval). An interval needs at least \(VerdictRules.minimumSeeds) paired seeds here, the same as the verdicts.", "",
                MarkdownTable(columns: Self.pairedColumns).render(rows)].joined(separator: "\n")
    }

    /// One row per (scenario, quantity).
    static let pairedColumns: [MarkdownTable<PairedComparison>.Column] = [
        .init("Scenario", .left) { "`\($0.scenario)`" },
        .init("Quantity", .left) { $0.quantity.comparison == .difference ? "\($0.quantity.label) − none" : "\($0.quantity.label) ÷ none" },
        .init("Per seed") { row in
            guard row.sample != nil else { return row.problem ?? DisplayFormat.missing }
            return row.perSeed.map { "\($0.seed): \(pairedValue(row.quantity, $0.value))" }.joined(separator: ", ")
        },
        .init("Mean") { row in
            row.quantity.comparison == .difference ? row.difference.map { pairedValue(row.quantity, $0.mean) } ?? DisplayFormat.missing
                : row.ratio.map { DisplayFormat.ratio($0.geometricMean) } ?? DisplayFormat.missing
        },
        .init("95 % interval") { row in
            guard row.seeds >= VerdictRules.minimumSeeds else { return row.seeds == 0 ? DisplayFormat.missing : IntervalFormat.tooFewSeeds(row.seeds) }
            return row.quantity.comparison == .difference
                ? IntervalFormat.bounds(row.difference?.interval) { pairedValue(row.quantity, $0) }
                : IntervalFormat.bounds(row.ratio?.interval) { DisplayFormat.ratio($0) }
        },
        .init("Relative change (95 % interval)") { row in
            guard row.quantity.comparison == .difference, let change = row.relativeChange else { return DisplayFormat.missing }
            let interval = row.seeds >= VerdictRules.minimumSeeds ? " " + IntervalFormat.bounds(change.interval) { DisplayFormat.change($0) } : ""
            return DisplayFormat.change(change.mean) + interval
        },
    ]

    /// A paired value as the table writes it: a signed difference for accuracy, a ratio otherwise.
    static func pairedValue(_ quantity: Quantity, _ value: Double?) -> String {
        guard let value, value.isFinite else { return DisplayFormat.missing }
        return quantity.comparison == .difference ? String(format: "%+.3f", value) : DisplayFormat.ratio(value)
    }

    func timeToTargetSection() -> String {
        guard let none = summary.baseline, none.isComplete else { return "" }
        let targets = (try? TimeToTarget.targets(baselineFinal: none.values(Quantities.finalMAP50))) ?? [:]
        guard !targets.isEmpty else { return "" }
        let rows = summary.scenarios.map { scenario -> TimeToTargetRow in
            var curves: [Int: TrainingCurve] = [:]
            for run in scenario.runs { curves[run.seed] = run.map50Curve }
            do {
                return TimeToTargetRow(scenario: scenario, targets: targets, summary: try TimeToTarget.summary(curves: curves, targets: targets), problem: nil)
            } catch {
                return TimeToTargetRow(scenario: scenario, targets: targets, summary: nil, problem: "\(error)")
            }
        }
        let fraction = DisplayFormat.percent(TimeToTarget.targetFraction, decimals: 0)
        return ["## Time to target", "",
                "Wall time (training and validation, from the start of training) until mAP@0.5 first reaches \(fraction) of `none`'s final mAP@0.5 of the same seed; accuracy is measured at epoch ends, so the time is interpolated linearly between the epoch below and the epoch that reaches it. The mean and 95 % t-interval are given only when every seed reached it (a mean over the seeds that did would favour the fast ones).", "",
                MarkdownTable(columns: Self.timeToTargetColumns).render(rows)].joined(separator: "\n")
    }

    /// The time to target of one scenario.
    struct TimeToTargetRow {
        let scenario: ScenarioSummary
        let targets: [Int: Double]
        let summary: TimeToTarget.Summary?
        let problem: String?
    }

    static let timeToTargetColumns: [MarkdownTable<TimeToTargetRow>.Column] = [
        .init("Scenario", .left) { "`\($0.scenario.name)`" },
        .init("Target per seed") { row in row.targets.keys.sorted().map { "\($0): \(DisplayFormat.fixed(row.targets[$0], 3))" }.joined(separator: ", ") },
        .init("Per seed") { row in
            guard let summary = row.summary else { return row.problem ?? DisplayFormat.missing }
            return summary.outcomes.keys.sorted().map { seed -> String in
                switch summary.outcomes[seed]! {
                case let .reached(seconds, epoch): "\(seed): \(DisplayFormat.duration(seconds)) (e\(epoch))"
                case .notReached: "\(seed): not reached"
                }
            }.joined(separator: ", ")
        },
        .init("Mean ± 95 % interval") { row in
            guard let summary = row.summary else { return DisplayFormat.missing }
            if let reason = summary.noEstimateReason { return reason }
            guard let estimate = summary.estimate else { return DisplayFormat.missing }
            return IntervalFormat.meanWithInterval(estimate, DisplayFormat.seconds)
        },
    ]
}
