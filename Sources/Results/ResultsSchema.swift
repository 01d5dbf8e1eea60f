/// A float64 series of the results file and the record field it holds. The name is used verbatim
/// as the HDF5 dataset name and as the CSV column name (`curves.csv`), defined once here.
public struct SeriesColumn<Record>: @unchecked Sendable {
    /// Dataset and CSV column name, e.g. `map50_95`.
    public let name: String
    /// The field of the record.
    public let field: WritableKeyPath<Record, Double>
}

/// The `epochs/<series>` datasets: one value per epoch (DESIGN.md "What is recorded").
public enum EpochSeries {
    public static let trainBox = SeriesColumn<EpochRecord>(name: "train_box", field: \.trainBox)
    public static let trainObj = SeriesColumn<EpochRecord>(name: "train_obj", field: \.trainObj)
    public static let trainCls = SeriesColumn<EpochRecord>(name: "train_cls", field: \.trainCls)
    public static let valBox = SeriesColumn<EpochRecord>(name: "val_box", field: \.valBox)
    public static let valObj = SeriesColumn<EpochRecord>(name: "val_obj", field: \.valObj)
    public static let valCls = SeriesColumn<EpochRecord>(name: "val_cls", field: \.valCls)
    public static let precision = SeriesColumn<EpochRecord>(name: "precision", field: \.precision)
    public static let recall = SeriesColumn<EpochRecord>(name: "recall", field: \.recall)
    public static let map50 = SeriesColumn<EpochRecord>(name: "map50", field: \.map50)
    public static let map50to95 = SeriesColumn<EpochRecord>(name: "map50_95", field: \.map50to95)
    public static let lr0 = SeriesColumn<EpochRecord>(name: "lr0", field: \.lr0)
    public static let lr1 = SeriesColumn<EpochRecord>(name: "lr1", field: \.lr1)
    public static let lr2 = SeriesColumn<EpochRecord>(name: "lr2", field: \.lr2)
    public static let epochSeconds = SeriesColumn<EpochRecord>(name: "epoch_seconds", field: \.epochSeconds)
    public static let imagesPerSecond = SeriesColumn<EpochRecord>(name: "images_per_second", field: \.imagesPerSecond)
    public static let cpuUtilization = SeriesColumn<EpochRecord>(name: "cpu_utilization", field: \.cpuUtilization)
    public static let trackedPeakBytes = SeriesColumn<EpochRecord>(name: "tracked_peak_bytes", field: \.trackedPeakBytes)
    public static let rssPeakBytes = SeriesColumn<EpochRecord>(name: "rss_peak_bytes", field: \.rssPeakBytes)
    public static let dataWaitFraction = SeriesColumn<EpochRecord>(name: "data_wait_fraction", field: \.dataWaitFraction)
    public static let secondsDataWait = SeriesColumn<EpochRecord>(name: "seconds_data_wait", field: \.secondsDataWait)
    public static let secondsForward = SeriesColumn<EpochRecord>(name: "seconds_forward", field: \.secondsForward)
    public static let secondsBackward = SeriesColumn<EpochRecord>(name: "seconds_backward", field: \.secondsBackward)
    public static let secondsOptimizer = SeriesColumn<EpochRecord>(name: "seconds_optimizer", field: \.secondsOptimizer)
    public static let secondsEMA = SeriesColumn<EpochRecord>(name: "seconds_ema", field: \.secondsEMA)
    public static let secondsValidation = SeriesColumn<EpochRecord>(name: "seconds_validation", field: \.secondsValidation)

    /// The time split of an epoch, phase by phase, in the order the trainer runs them.
    public static let timeSplit: [SeriesColumn<EpochRecord>] = [
        secondsDataWait, secondsForward, secondsBackward, secondsOptimizer, secondsEMA, secondsValidation,
    ]
    public static let rssPeakBytesLargestRank = SeriesColumn<EpochRecord>(name: "rss_peak_bytes_largest_rank",
                                                                          field: \.rssPeakBytesLargestRank)

    /// Every epoch series, in the order of DESIGN.md (and of `curves.csv`).
    public static let all: [SeriesColumn<EpochRecord>] = [
        trainBox, trainObj, trainCls, valBox, valObj, valCls, precision, recall, map50, map50to95,
        lr0, lr1, lr2, epochSeconds, imagesPerSecond, cpuUtilization, trackedPeakBytes, rssPeakBytes,
        dataWaitFraction, rssPeakBytesLargestRank,
    ] + timeSplit
}

/// The `iterations/<series>` datasets: one value per training iteration.
public enum IterationSeries {
    public static let loss = SeriesColumn<IterationRecord>(name: "loss", field: \.loss)
    public static let imagesPerSecond = SeriesColumn<IterationRecord>(name: "images_per_second", field: \.imagesPerSecond)
    public static let trackedBytes = SeriesColumn<IterationRecord>(name: "tracked_bytes", field: \.trackedBytes)
    /// The 0-based epoch of each iteration (float64 like every series; whole numbers).
    public static let epoch = "epoch"

    /// Every iteration series except `epoch`.
    public static let all: [SeriesColumn<IterationRecord>] = [loss, imagesPerSecond, trackedBytes]
}

/// Names of groups, datasets and attributes in the results file, each defined once.
///
/// Schema version 2 (a study is scenarios × seeds; a run is one of each):
/// ```
/// /                              schema_version, study_name, configuration_digest, tool_version,
///                                created, machine_{cores,cpu,blas}
/// /scenarios/<name>/             freeze, freeze_patterns, bn, {trainable,frozen}_{tensors,parameters},
///                                config_json (the resolved configuration without the seed), order
///    seeds/<seed>/               seed, status (running|complete), started, finished, command,
///                                tool_version, machine_{cores,cpu,blas}, threads, world_size,
///                                frozen_tensors_checked, frozen_tensors_unchanged, note,
///                                flops_per_image_{forward,weight_gradient,input_gradient}
///       epochs/<series>          float64, one value per epoch (`EpochSeries`)
///       iterations/<series>      float64, one value per iteration, and `epoch` (`IterationSeries`)
///       per_class/               ap50, ap50_95, n_labels, names (attribute: epoch)
/// ```
/// A run's part file (`parts/<scenario>/seed-<seed>.h5`) has the same layout holding one
/// scenario and one seed; `results.h5` is their merge. Version 1 files (one run per scenario,
/// its series directly under `/scenarios/<name>/`) are still read, as a run of the seed recorded
/// on the scenario. Series and attributes added later (the time split `seconds_*`, the FLOPs per
/// image) read as NaN / nil from files that lack them; appending to such a file adds the series,
/// NaN for the epochs already recorded.
enum Schema {
    /// Version of this layout, written as the root attribute `schema_version`.
    static let version: Int64 = 2

    static let scenariosGroup = "scenarios"
    static let seedsGroup = "seeds"
    static let epochsGroup = "epochs"
    static let iterationsGroup = "iterations"
    static let perClassGroup = "per_class"

    /// Chunk length of epoch series (a study rarely exceeds 300 epochs) and iteration series.
    static let epochChunk = 64
    static let iterationChunk = 1024

    enum Root {
        static let studyName = "study_name"
        static let toolVersion = "tool_version"
        static let created = "created"
        static let configurationDigest = "configuration_digest"
        static let schemaVersion = "schema_version"
    }

    /// Machine attributes, on the root (the machine that created the file) and on each run
    /// (the machine that ran it).
    enum Machine {
        static let cores = "machine_cores"
        static let cpu = "machine_cpu"
        static let blas = "machine_blas"
    }

    /// What a scenario is: the same for every seed.
    enum Scenario {
        static let freeze = "freeze"
        static let freezePatterns = "freeze_patterns"
        static let bn = "bn"
        static let trainableTensors = "trainable_tensors"
        static let trainableParameters = "trainable_parameters"
        static let frozenTensors = "frozen_tensors"
        static let frozenParameters = "frozen_parameters"
        static let config = "config_json"
        static let order = "order"
    }

    /// One run (scenario × seed): how, where and when it ran, and how it ended.
    enum Run {
        static let seed = "seed"
        static let status = "status"
        static let started = "started"
        static let finished = "finished"
        static let command = "command"
        static let toolVersion = "tool_version"
        static let threads = "threads"
        static let worldSize = "world_size"
        static let frozenTensorsChecked = "frozen_tensors_checked"
        static let frozenTensorsUnchanged = "frozen_tensors_unchanged"
        static let note = "note"
        static let flopsForward = "flops_per_image_forward"
        static let flopsWeightGradient = "flops_per_image_weight_gradient"
        static let flopsInputGradient = "flops_per_image_input_gradient"
    }

    enum PerClass {
        static let ap50 = "ap50"
        static let ap50to95 = "ap50_95"
        static let names = "names"
        static let nLabels = "n_labels"
        /// Attribute: the 0-based epoch whose model the per-class AP was measured on.
        static let epoch = "epoch"
    }

    /// The path of a run's group: `scenarios/<name>/seeds/<seed>`.
    static func runPath(_ key: RunKey) -> String { "\(scenariosGroup)/\(key.scenario)/\(seedsGroup)/\(key.seed)" }
}
