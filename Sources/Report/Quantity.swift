import Statistics

/// A number the report takes from each run and summarises over seeds. One definition gives its
/// name (the `summary.csv` column stem, and the HDF5 series it is computed from), its label in
/// `report.md`, what it means, how it is written and how two scenarios are compared on it, so
/// that the Markdown tables, the CSV and the definitions can never name it differently.
struct Quantity {
    /// How a scenario is compared with `none` on this quantity, seed by seed.
    enum Comparison {
        /// scenario − none per seed (accuracy), with the relative change beside it.
        case difference
        /// scenario ÷ none per seed, summarised on the log scale (rates, durations, bytes).
        case ratio
    }

    /// The name in `summary.csv` (`final_map50` → `final_map50_mean`, `…_ci95_low`, …).
    let name: String
    /// The label in `report.md`.
    let label: String
    /// What it is, in words (the report's definitions list).
    let definition: String
    let comparison: Comparison
    /// The run's value (nil: not recorded).
    let value: (RunSummary) -> Double?
    /// How `report.md` writes a value (and the half-width of its interval).
    let format: (Double?) -> String
}

/// The quantities of the report, in table order.
enum Quantities {
    static let finalMAP50 = Quantity(
        name: "final_map50", label: "mAP@0.5 final",
        definition: "mAP@0.5 of the last recorded epoch (HDF5 series `map50`)", comparison: .difference,
        value: { $0.finalMAP50 }, format: { DisplayFormat.fixed($0, 3) })
    static let bestMAP50 = Quantity(
        name: "best_map50", label: "mAP@0.5 best",
        definition: "mAP@0.5 of the epoch of highest YOLOv5 fitness 0.1·mAP@0.5 + 0.9·mAP@0.5:0.95 (`utils/metrics.py` `fitness`, the epoch best.pt is saved at)",
        comparison: .difference, value: { $0.bestMAP50 }, format: { DisplayFormat.fixed($0, 3) })
    static let finalMAP50to95 = Quantity(
        name: "final_map50_95", label: "mAP@0.5:0.95 final",
        definition: "mAP@0.5:0.95 of the last recorded epoch (HDF5 series `map50_95`)", comparison: .difference,
        value: { $0.finalMAP50to95 }, format: { DisplayFormat.fixed($0, 3) })
    static let bestMAP50to95 = Quantity(
        name: "best_map50_95", label: "mAP@0.5:0.95 best",
        definition: "mAP@0.5:0.95 of the epoch of highest fitness", comparison: .difference,
        value: { $0.bestMAP50to95 }, format: { DisplayFormat.fixed($0, 3) })
    static let imagesPerSecond = Quantity(
        name: "images_per_second", label: "Train images/s",
        definition: "the mean over epochs of training images ÷ training seconds, validation excluded (HDF5 series `images_per_second`)",
        comparison: .ratio, value: { $0.imagesPerSecond }, format: { DisplayFormat.fixed($0, 1) })
    static let epochSeconds = Quantity(
        name: "epoch_seconds", label: "Epoch time",
        definition: "the mean wall time of an epoch, training and validation (HDF5 series `epoch_seconds`)",
        comparison: .ratio, value: { $0.meanEpochSeconds }, format: DisplayFormat.seconds)
    static let trackedPeakBytes = Quantity(
        name: "tracked_peak_bytes", label: "Peak memory",
        definition: "the highest per-epoch high-water mark of the memory meter: bytes of live tensors (weights, activations kept for backward, gradients, optimizer state), the analogue of YOLOv5's GPU_mem (HDF5 series `tracked_peak_bytes`)",
        comparison: .ratio, value: { $0.trackedPeakBytes }, format: DisplayFormat.bytes)
    static let rssPeakBytes = Quantity(
        name: "rss_peak_bytes", label: "Peak RSS",
        definition: "the peak resident set size of the run's own process (VmHWM; HDF5 series `rss_peak_bytes`)",
        comparison: .ratio, value: { $0.rssPeakBytes }, format: DisplayFormat.bytes)
    static let wallSeconds = Quantity(
        name: "wall_seconds", label: "Wall time",
        definition: "the sum of the epochs' wall times, training and validation, without setup", comparison: .ratio,
        value: { $0.wallSeconds }, format: DisplayFormat.duration)
    static let cpuUtilization = Quantity(
        name: "cpu_utilization", label: "CPU busy",
        definition: "process CPU time ÷ (wall time × cores), the mean over epochs (HDF5 series `cpu_utilization`). Not the guide's GPU utilisation: on a CPU the GEMMs that still run keep every core busy whatever is frozen, so this says how well the cores were fed, not how much work was left",
        comparison: .ratio, value: { $0.cpuUtilization }, format: { DisplayFormat.percent($0) })

    /// Every quantity, in the order of the tables and `summary.csv`.
    static let all = [finalMAP50, bestMAP50, finalMAP50to95, bestMAP50to95, imagesPerSecond, epochSeconds,
                      trackedPeakBytes, rssPeakBytes, wallSeconds, cpuUtilization]
    /// Those whose paired comparison with `none` the report shows.
    static let compared = [finalMAP50, bestMAP50, finalMAP50to95, bestMAP50to95, imagesPerSecond, epochSeconds, trackedPeakBytes]
}

/// How intervals read in `report.md`.
enum IntervalFormat {
    /// `0.559 ± 0.021` (mean ± half-width of the 95 % t-interval), or `0.559 (1 seed, no interval)`.
    static func meanWithInterval(_ estimate: MeanEstimate?, _ format: (Double?) -> String) -> String {
        guard let estimate else { return DisplayFormat.missing }
        guard let interval = estimate.interval else { return "\(format(estimate.mean)) (1 seed, no interval)" }
        return "\(format(estimate.mean)) ± \(format((interval.upper - interval.lower) / 2))"
    }

    /// `[0.538, 0.580]`, written with `format`.
    static func bounds(_ interval: ConfidenceInterval?, _ format: (Double?) -> String) -> String {
        guard let interval else { return DisplayFormat.missing }
        return "[\(format(interval.lower)), \(format(interval.upper))]"
    }

    /// The words for an estimate over too few seeds for an interval the rules accept.
    static func tooFewSeeds(_ count: Int) -> String {
        count < 2 ? "no interval possible (1 seed)"
            : "no interval: \(count) seeds (the rules need at least \(VerdictRules.minimumSeeds))"
    }
}
