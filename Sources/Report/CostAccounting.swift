import Foundation
import Results
import Statistics

/// Why a frozen scenario is faster, in the CPU's terms (the guide's lower GPU utilisation has no
/// CPU counterpart): where an epoch's time goes, the work one image costs as the graph runs it,
/// and the speed-up that work predicts (Amdahl, `PredictedSpeedUp`) beside the measured one.
struct CostAccounting {
    /// One scenario's costs.
    struct Row {
        let scenario: ScenarioSummary
        /// The mean epoch's phases (nil: the runs did not record the time split).
        let split: PhaseSeconds?
        /// The work of one image (nil: the runs did not record the FLOPs).
        let work: TrainingWork?
        /// Images/s ÷ images/s of `none`, paired by seed.
        let measured: PairedComparison?
        /// The speed-up the FLOPs predict from `none`'s phases.
        let predicted: PredictedSpeedUp?
        /// Why there is no prediction.
        let predictionProblem: String?
    }

    let rows: [Row]

    init(_ study: StudySummary) {
        let none = study.baseline
        let baselineSplit = none?.timeSplit, baselineWork = none?.trainingWork
        rows = study.scenarios.map { scenario in
            let work = scenario.trainingWork
            var predicted: PredictedSpeedUp?, problem: String?
            if let baselineSplit, let baselineWork, let work {
                do { predicted = try PredictedSpeedUp(baselineSeconds: baselineSplit, baselineWork: baselineWork, scenarioWork: work) } catch {
                    problem = "\(error)"
                }
            } else {
                problem = none == nil ? "no `none` scenario" : "time split or FLOPs not recorded"
            }
            return Row(scenario: scenario, split: scenario.timeSplit, work: work,
                       measured: none.map { PairedComparison(scenario, against: $0, on: Quantities.imagesPerSecond) },
                       predicted: predicted, predictionProblem: problem)
        }
    }

    /// The phases of an epoch, with their labels and HDF5 series names (`EpochSeries.timeSplit`'s order).
    static let phases: [(label: String, series: String, seconds: KeyPath<PhaseSeconds, Double>)] = [
        ("Data wait", EpochSeries.secondsDataWait.name, \.dataWait), ("Forward", EpochSeries.secondsForward.name, \.forward),
        ("Backward", EpochSeries.secondsBackward.name, \.backward), ("Optimizer", EpochSeries.secondsOptimizer.name, \.optimizer),
        ("EMA", EpochSeries.secondsEMA.name, \.ema), ("Validation", EpochSeries.secondsValidation.name, \.validation),
    ]

    static let splitColumns: [MarkdownTable<Row>.Column] =
        [.init("Scenario", .left) { "`\($0.scenario.name)`" }]
        + phases.map { phase in
            .init("\(phase.label) (`\(phase.series)`)") { row in
                guard let split = row.split else { return DisplayFormat.missing }
                let seconds = split[keyPath: phase.seconds]
                return "\(DisplayFormat.seconds(seconds)) (\(DisplayFormat.percent(seconds / split.total, decimals: 0)))"
            }
        }
        + [.init("Sum of phases") { DisplayFormat.seconds($0.split?.total) },
           .init(Quantities.epochSeconds.label) { DisplayFormat.seconds($0.scenario.estimate(Quantities.epochSeconds)?.mean) }]

    static let workColumns: [MarkdownTable<Row>.Column] = [
        .init("Scenario", .left) { "`\($0.scenario.name)`" },
        .init("Forward GFLOP/image") { gigaFLOPs($0.work?.forwardFLOPs) },
        .init("Backward GFLOP/image (weight + input gradient)") { row in
            guard let work = row.work else { return DisplayFormat.missing }
            return "\(gigaFLOPs(work.backwardFLOPs)) (\(gigaFLOPs(work.weightGradientFLOPs)) + \(gigaFLOPs(work.inputGradientFLOPs)))"
        },
        .init("Parameters stepped") { DisplayFormat.count($0.scenario.info.trainableParameters) },
        .init("Measured speed-up (images/s ÷ none)") { row in
            guard let measured = row.measured, let ratio = measured.ratio else { return DisplayFormat.missing }
            let interval = measured.seeds >= VerdictRules.minimumSeeds ? " " + IntervalFormat.bounds(ratio.interval) { DisplayFormat.ratio($0) }
                : " (" + IntervalFormat.tooFewSeeds(measured.seeds) + ")"
            return DisplayFormat.ratio(ratio.geometricMean) + interval
        },
        .init("Predicted from FLOPs (Amdahl)") { row in row.predicted.map { DisplayFormat.ratio($0.trainingSpeedUp) } ?? DisplayFormat.missing },
        .init("Measured ÷ predicted") { row in
            guard let ratio = row.measured?.ratio, let predicted = row.predicted else { return DisplayFormat.missing }
            return DisplayFormat.ratio(ratio.geometricMean / predicted.trainingSpeedUp)
        },
    ]

    static func gigaFLOPs(_ flops: Double?) -> String { DisplayFormat.fixed(flops.map { $0 / 1e9 }, 3) }

    /// Per frozen scenario, where measured and predicted differ: each training phase's measured
    /// seconds against the seconds the FLOPs predict, the largest excess first.
    func gaps() -> [String] {
        rows.compactMap { row -> String? in
            guard row.scenario.name != StudySummary.baselineName, let predicted = row.predicted, let split = row.split,
                  let ratio = row.measured?.ratio else { return nil }
            let training = Self.phases.filter { $0.series != EpochSeries.secondsValidation.name }
            let excess = training.map { phase in
                (phase.label, split[keyPath: phase.seconds], predicted.predictedSeconds[keyPath: phase.seconds])
            }.sorted { ($0.1 - $0.2) > ($1.1 - $1.2) }
            let phases = excess.prefix(3).map { "\($0.0.lowercased()) \(DisplayFormat.seconds($0.1)) against \(DisplayFormat.seconds($0.2)) predicted" }
            let verdict = ratio.geometricMean < predicted.trainingSpeedUp ? "less than predicted" : "at least as much as predicted"
            return "`\(row.scenario.name)`: measured \(DisplayFormat.ratio(ratio.geometricMean)), predicted \(DisplayFormat.ratio(predicted.trainingSpeedUp)) — \(verdict); per epoch, "
                + phases.joined(separator: ", ") + "."
        }
    }
}

extension MarkdownReport {
    func costSection() -> String {
        let costs = CostAccounting(summary)
        guard costs.rows.contains(where: { $0.split != nil || $0.work != nil }) else {
            return ["## Where the time goes", "",
                    "The runs of this results file did not record the time split (`seconds_*`) or the FLOPs per image (`flops_per_image_*`): they were written by an older version. Train them again to see where the time goes."].joined(separator: "\n")
        }
        var lines = ["## Where the time goes", "",
                     "The guide reports lower GPU utilisation for frozen models; on a CPU the honest analogue is where the time goes and how much work is left. Mean epoch of each scenario (the mean over seeds of each run's mean over epochs), by phase, with each phase's share of their sum:", "",
                     MarkdownTable(columns: CostAccounting.splitColumns).render(costs.rows), "",
                     "Convolution FLOPs of one training image as each scenario's graph runs it (2 per multiply-add, as YOLOv5's GFLOPs count: a frozen prefix runs forward only, a frozen weight gets no weight gradient, and no input gradient is computed where nothing upstream trains; recorded with each run as `flops_per_image_{forward,weight_gradient,input_gradient}`), and the training speed-up they predict beside the one measured:", "",
                     MarkdownTable(columns: CostAccounting.workColumns).render(costs.rows), "",
                     "**The prediction** (Amdahl's law, from `none`'s measured phases): forward time scales with forward FLOPs, backward time with backward FLOPs, optimizer time with the parameters stepped (SGD skips parameters without a gradient); data wait and EMA stay (the loader does not depend on freezing, and YOLOv5's EMA averages every entry, frozen or not). Validation is left out, as images/s leaves it out."]
        let gaps = costs.gaps()
        if !gaps.isEmpty {
            lines += ["", "**Where measured and predicted differ**, training phases with the largest excess over their prediction first:", ""]
            lines += gaps.map { "- " + $0 }
        }
        lines += ["", "FLOPs count only the convolutions' multiply-adds. What they leave out shows as a gap: BatchNorm, SiLU, upsampling and concatenation passes run forward in full whatever is frozen and are memory-bound; small convolutions run far below the GEMM's peak rate, so the FLOPs a frozen prefix saves are cheaper per FLOP than those of the large early layers suggest (or dearer, the other way round); keeping fewer activations for backward saves memory traffic the FLOP count does not see; and a phase shorter than the timer's overhead or the threads' start-up time cannot shrink in proportion. A measured speed-up above the prediction points at the memory traffic saved; one below it at passes that do not shrink with the FLOPs."]
        return lines.joined(separator: "\n")
    }
}
