import Results
import Statistics

/// `summary.csv`: one row per scenario, in raw units (bytes, seconds, fractions 0…1). Each
/// quantity of `Quantities` gives its columns under its one name: `<name>_mean`, `<name>_ci95_low`,
/// `<name>_ci95_high` (empty with one seed), `<name>_seeds`, and against `none`, seed by seed,
/// `<name>_vs_none` (mean difference, or geometric-mean ratio) with `<name>_vs_none_ci95_low`/`_high`
/// (empty with fewer than `VerdictRules.minimumSeeds` paired seeds).
enum SummaryCSV {
    static func columns(baseline: ScenarioSummary?) -> [CSV.Column<ScenarioSummary>] {
        let identity: [CSV.Column<ScenarioSummary>] = [
            .init(name: "scenario") { $0.name },
            .init(name: "order") { CSV.number($0.order) },
            .init(name: "status") { $0.isComplete ? RunStatus.complete.rawValue : RunStatus.running.rawValue },
            .init(name: "seeds") { $0.seeds.map(String.init).joined(separator: " ") },
            .init(name: "freeze") { $0.info.freeze },
            .init(name: "bn") { $0.info.bn },
            .init(name: "trainable_tensors") { CSV.number($0.info.trainableTensors) },
            .init(name: "trainable_parameters") { CSV.number($0.info.trainableParameters) },
            .init(name: "frozen_tensors") { CSV.number($0.info.frozenTensors) },
            .init(name: "frozen_parameters") { CSV.number($0.info.frozenParameters) },
            .init(name: "epochs_recorded") { CSV.number($0.epochsRecorded) },
            .init(name: "epochs_planned") { CSV.number($0.epochsPlanned) },
        ]
        let quantities = Quantities.all.flatMap { quantity -> [CSV.Column<ScenarioSummary>] in
            func paired(_ scenario: ScenarioSummary) -> PairedComparison? {
                baseline.map { PairedComparison(scenario, against: $0, on: quantity) }
            }
            func vsNone(_ scenario: ScenarioSummary) -> (Double, ConfidenceInterval?)? {
                guard let row = paired(scenario) else { return nil }
                let accepted = row.seeds >= VerdictRules.minimumSeeds
                switch quantity.comparison {
                case .difference: return row.difference.map { ($0.mean, accepted ? $0.interval : nil) }
                case .ratio: return row.ratio.map { ($0.geometricMean, accepted ? $0.interval : nil) }
                }
            }
            return [
                .init(name: "\(quantity.name)_mean") { CSV.number($0.estimate(quantity)?.mean) },
                .init(name: "\(quantity.name)_ci95_low") { CSV.number($0.estimate(quantity)?.interval?.lower) },
                .init(name: "\(quantity.name)_ci95_high") { CSV.number($0.estimate(quantity)?.interval?.upper) },
                .init(name: "\(quantity.name)_seeds") { CSV.number($0.values(quantity).count) },
                .init(name: "\(quantity.name)_vs_none") { CSV.number(vsNone($0)?.0) },
                .init(name: "\(quantity.name)_vs_none_ci95_low") { CSV.number(vsNone($0)?.1?.lower) },
                .init(name: "\(quantity.name)_vs_none_ci95_high") { CSV.number(vsNone($0)?.1?.upper) },
            ]
        }
        return identity + quantities + [.init(name: "frozen_tensors_unchanged") { CSV.flag($0.frozenTensorsUnchanged) }]
    }

    static func render(_ study: StudySummary) -> String { CSV.render(study.scenarios, columns: columns(baseline: study.baseline)) }
}

/// `curves.csv`: one row per run and epoch, with every epoch series of the results file under
/// its HDF5 name (`EpochSeries`).
enum CurvesCSV {
    struct Row {
        let scenario: String
        let seed: Int
        let epoch: Int
        let record: EpochRecord
    }

    static let columns: [CSV.Column<Row>] = [
        .init(name: "scenario") { $0.scenario },
        .init(name: "seed") { String($0.seed) },
        .init(name: "epoch") { String($0.epoch) },
    ] + EpochSeries.all.map { series in .init(name: series.name) { CSV.number($0.record[keyPath: series.field]) } }

    static func render(_ results: StudyResults) -> String {
        let rows = results.scenarios.flatMap { scenario in
            scenario.runs.flatMap { run in
                run.epochs.enumerated().map { Row(scenario: scenario.name, seed: run.seed, epoch: $0.offset, record: $0.element) }
            }
        }
        return CSV.render(rows, columns: columns)
    }
}
