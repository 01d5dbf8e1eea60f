/// One epoch of one scenario, as the trainer measured it: one value of every `epochs/<series>`
/// dataset in the results file (DESIGN.md "What is recorded"). Losses and metrics mirror the
/// columns of YOLOv5 v7's `results.csv`; the rest is telemetry.
///
/// Every field is a `Double` because every HDF5 series is float64; a value that was not measured
/// is `.nan`. Byte counts are whole numbers stored as `Double` (exact below 2^53 bytes).
public struct EpochRecord: Equatable, Sendable {
    /// Running mean over the epoch's batches of the box, objectness and class losses
    /// (YOLOv5 `train/box_loss`, `train/obj_loss`, `train/cls_loss`).
    public var trainBox, trainObj, trainCls: Double
    /// Validation losses of the EMA model, averaged over batches (`val/box_loss`, …).
    public var valBox, valObj, valCls: Double
    /// Precision and recall at the F1-optimal confidence, means over classes (`metrics/precision`, `metrics/recall`).
    public var precision, recall: Double
    /// mAP@0.5 and mAP@0.5:0.95 (`metrics/mAP_0.5`, `metrics/mAP_0.5:0.95`).
    public var map50, map50to95: Double
    /// Learning rates of the three parameter groups at the epoch's last batch (`x/lr0`, `x/lr1`, `x/lr2`).
    public var lr0, lr1, lr2: Double
    /// Wall time of the whole epoch, training and validation, in seconds.
    public var epochSeconds: Double
    /// Training images ÷ seconds of the training phase (validation excluded).
    public var imagesPerSecond: Double
    /// Process CPU time ÷ (wall time × cores) over the epoch, 0…1.
    public var cpuUtilization: Double
    /// High-water mark of the memory meter (live tensor bytes) during the epoch, the analogue of
    /// YOLOv5's GPU_mem (`torch.cuda.memory_reserved`).
    public var trackedPeakBytes: Double
    /// Peak resident set size during the epoch (`VmHWM`), bytes, of the whole job: the
    /// process's, or for a run on several MPI ranks the sum of the ranks' peaks.
    public var rssPeakBytes: Double
    /// The largest one rank's peak resident set size (equal to `rssPeakBytes` for one process).
    public var rssPeakBytesLargestRank: Double
    /// Share of the epoch's wall time the trainer spent waiting for batches, 0…1.
    public var dataWaitFraction: Double
    /// Where the epoch's wall time went, phase by phase, in seconds: waiting for batches, the
    /// forward passes with the loss, the backward passes, the optimizer steps, the EMA updates
    /// and validation. They add up to (nearly) `epochSeconds`; NaN in files written before they
    /// were recorded.
    public var secondsDataWait, secondsForward, secondsBackward, secondsOptimizer, secondsEMA, secondsValidation: Double

    /// An epoch; fields not given are `.nan` (not measured).
    public init(
        trainBox: Double = .nan, trainObj: Double = .nan, trainCls: Double = .nan,
        valBox: Double = .nan, valObj: Double = .nan, valCls: Double = .nan,
        precision: Double = .nan, recall: Double = .nan, map50: Double = .nan, map50to95: Double = .nan,
        lr0: Double = .nan, lr1: Double = .nan, lr2: Double = .nan,
        epochSeconds: Double = .nan, imagesPerSecond: Double = .nan, cpuUtilization: Double = .nan,
        trackedPeakBytes: Double = .nan, rssPeakBytes: Double = .nan, dataWaitFraction: Double = .nan,
        secondsDataWait: Double = .nan, secondsForward: Double = .nan, secondsBackward: Double = .nan,
        secondsOptimizer: Double = .nan, secondsEMA: Double = .nan, secondsValidation: Double = .nan,
        rssPeakBytesLargestRank: Double = .nan
    ) {
        self.trainBox = trainBox; self.trainObj = trainObj; self.trainCls = trainCls
        self.valBox = valBox; self.valObj = valObj; self.valCls = valCls
        self.precision = precision; self.recall = recall; self.map50 = map50; self.map50to95 = map50to95
        self.lr0 = lr0; self.lr1 = lr1; self.lr2 = lr2
        self.epochSeconds = epochSeconds; self.imagesPerSecond = imagesPerSecond
        self.cpuUtilization = cpuUtilization; self.trackedPeakBytes = trackedPeakBytes
        self.rssPeakBytes = rssPeakBytes; self.dataWaitFraction = dataWaitFraction
        self.secondsDataWait = secondsDataWait; self.secondsForward = secondsForward; self.secondsBackward = secondsBackward
        self.secondsOptimizer = secondsOptimizer; self.secondsEMA = secondsEMA; self.secondsValidation = secondsValidation
        self.rssPeakBytesLargestRank = rssPeakBytesLargestRank
    }

    /// Equal when every field is equal, treating two NaNs (two unmeasured values) as equal.
    public static func == (a: EpochRecord, b: EpochRecord) -> Bool {
        EpochSeries.all.allSatisfy { sameValue(a[keyPath: $0.field], b[keyPath: $0.field]) }
    }
}

/// One training iteration (one batch): one value of every `iterations/<series>` dataset.
/// The epoch it belongs to is not a field: the store writes it (series `epoch`) from the epoch
/// the iterations are appended with, and reading groups iterations by epoch.
public struct IterationRecord: Equatable, Sendable {
    /// The batch's loss box + obj + cls per image (YOLOv5 `loss_items.sum()`, not the
    /// batch-size-scaled `loss` that `ComputeLoss` returns for backward).
    public var loss: Double
    /// Images of this batch ÷ seconds of its forward, backward and optimizer step.
    public var imagesPerSecond: Double
    /// Live tensor bytes of the memory meter after the batch.
    public var trackedBytes: Double

    /// An iteration; fields not given are `.nan`.
    public init(loss: Double = .nan, imagesPerSecond: Double = .nan, trackedBytes: Double = .nan) {
        self.loss = loss
        self.imagesPerSecond = imagesPerSecond
        self.trackedBytes = trackedBytes
    }

    /// Equal when every field is equal, treating two NaNs as equal.
    public static func == (a: IterationRecord, b: IterationRecord) -> Bool {
        IterationSeries.all.allSatisfy { sameValue(a[keyPath: $0.field], b[keyPath: $0.field]) }
    }
}

/// `a == b`, or both NaN.
func sameValue(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
