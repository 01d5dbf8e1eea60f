/// Where the wall time of training went, in seconds (DESIGN.md's `seconds_{data_wait,forward,
/// backward,optimizer,ema,validation}`).
public struct TimeSplit: Sendable, Equatable, Codable {
    /// Waiting for the next batch from the loader.
    public var dataWait = 0.0
    /// The model's forward pass and the loss (`pred = model(imgs)`, `compute_loss`).
    public var forward = 0.0
    /// The model's backward pass (`loss.backward()`).
    public var backward = 0.0
    /// Gradient clipping, the SGD step and zeroing the gradients.
    public var optimizer = 0.0
    /// The EMA update after each optimizer step.
    public var ema = 0.0
    /// Validating the EMA model after the epoch.
    public var validation = 0.0

    public init() {}

    /// The sum of the parts.
    public var total: Double { dataWait + forward + backward + optimizer + ema + validation }

    /// Part-by-part sum.
    public static func + (a: TimeSplit, b: TimeSplit) -> TimeSplit {
        var sum = a
        sum.dataWait += b.dataWait
        sum.forward += b.forward
        sum.backward += b.backward
        sum.optimizer += b.optimizer
        sum.ema += b.ema
        sum.validation += b.validation
        return sum
    }
}

/// What one training iteration did and measured.
public struct IterationReport: Sendable, Codable {
    public var epoch: Int, iteration: Int, globalIteration: Int, iterationsPerEpoch: Int
    /// Loss items (train.py's box/obj/cls) and the back-propagated total.
    public var box: Double, obj: Double, cls: Double, total: Double
    /// Per group (biases, weights, BN weights), and the momentum, used by this iteration.
    public var learningRates: [Double], momentum: Double
    /// Iterations of gradient accumulated per optimizer step at this iteration (train.py's `accumulate`).
    public var accumulate: Int
    public var images: Int
    /// Seconds waiting for the batch, and computing on it.
    public var waitSeconds: Double, computeSeconds: Double
    /// The same time by phase (validation 0).
    public var seconds: TimeSplit
    /// Whether the optimizer stepped after this iteration.
    public var optimizerStepped: Bool
    /// Global L2 norm of the gradients before clipping (NaN when the optimizer did not step).
    public var gradientNorm: Double
    /// `MemoryMeter` live bytes after backward.
    public var trackedBytes: Int

    public var imagesPerSecond: Double { Double(images) / (waitSeconds + computeSeconds) }
}

/// What one epoch did and measured.
public struct EpochReport: Sendable {
    public var epoch: Int
    /// Running means of the loss items over the epoch's batches.
    public var trainBox: Double, trainObj: Double, trainCls: Double
    /// The EMA model's validation (nil when there is no validation set).
    public var validation: ValidationResult?
    /// Learning rates of the epoch's last batch (results.csv's x/lr0..2).
    public var learningRates: [Double]
    /// Wall seconds of the whole epoch (training and validation) and of training alone.
    public var epochSeconds: Double, trainSeconds: Double
    /// Where the epoch's time went, by phase.
    public var seconds: TimeSplit
    /// Training images of the epoch over all ranks.
    public var trainImages: Int
    /// `MemoryMeter` high-water mark during the epoch (summed over ranks).
    public var trackedPeakBytes: Int
    /// Peak resident set size during the epoch (or since start, if it cannot be reset) of the
    /// whole job: the sum of `peakResidentBytesPerRank`.
    public var peakResidentBytes: Int
    /// Each rank's peak resident set size ([1] for a single process).
    public var peakResidentBytesPerRank: [Int]
    /// Process CPU time ÷ wall time ÷ cores over the epoch.
    public var cpuUtilization: Double
    public var iterations: [IterationReport]

    /// Seconds the training loop waited for batches.
    public var dataWaitSeconds: Double { seconds.dataWait }
    /// Training images per second of training wall time.
    public var imagesPerSecond: Double { Double(trainImages) / trainSeconds }
}

/// Receives the trainer's measurements. Throwing from `didFinishEpoch` stops training.
public protocol TrainingObserver: AnyObject {
    func trainer(didFinishIteration report: IterationReport)
    func trainer(didFinishEpoch report: EpochReport) throws
}

/// Why training stopped.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, iteration: Int, value: Double)
    case emptyEpoch(epoch: Int)
    case ranksDiverged(epoch: Int, rank: Int, otherRank: Int)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, iteration, value):
            return "the loss became \(value) at epoch \(epoch), iteration \(iteration); training stopped "
                + "(try a lower lr0 or check the labels)"
        case let .emptyEpoch(epoch):
            return "epoch \(epoch) had no batches"
        case let .ranksDiverged(epoch, rank, other):
            return "after epoch \(epoch) the parameters of rank \(rank) and rank \(other) differ; data-parallel ranks must stay "
                + "bit-identical (a rank ran other code or another thread count's kernels)"
        }
    }
}
