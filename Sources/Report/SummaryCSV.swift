import Results

/// `summary.csv`: one row per scenario with the numbers of the report's table, in raw units
/// (bytes, seconds, fractions 0…1); ratios are against `none` (see `ScenarioSummary`).
enum SummaryCSV {
    static let columns: [CSV.Column<ScenarioSummary>] = [
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
        .init(name: "final_map50") { CSV.number($0.finalMAP50) },
        .init(name: "final_map50_95") { CSV.number($0.finalMAP50to95) },
        .init(name: "best_epoch") { CSV.number($0.bestEpoch) },
        .init(name: "best_map50") { CSV.number($0.bestMAP50) },
        .init(name: "best_map50_95") { CSV.number($0.bestMAP50to95) },
        .init(name: "images_per_second_mean") { CSV.number($0.imagesPerSecond) },
        .init(name: "speedup_images_per_second") { CSV.number($0.speedUp) },
        .init(name: "wall_seconds") { CSV.number($0.wallSeconds) },
        .init(name: "epoch_seconds_mean") { CSV.number($0.meanEpochSeconds) },
        .init(name: "speedup_epoch_seconds") { CSV.number($0.wallSpeedUp) },
        .init(name: "tracked_peak_bytes") { CSV.number($0.trackedPeakBytes) },
        .init(name: "tracked_peak_ratio") { CSV.number($0.memoryRatio) },
        .init(name: "rss_peak_bytes") { CSV.number($0.rssPeakBytes) },
        .init(name: "rss_peak_ratio") { CSV.number($0.rssRatio) },
        .init(name: "cpu_utilization_mean") { CSV.number($0.cpuUtilization) },
        .init(name: "data_wait_fraction_mean") { CSV.number($0.dataWaitFraction) },
        .init(name: "frozen_tensors_unchanged") { CSV.flag($0.frozenTensorsUnchanged) },
    ]

    static func render(_ study: StudySummary) -> String { CSV.render(study.scenarios, columns: columns) }
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
