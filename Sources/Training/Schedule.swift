import Foundation

/// YOLOv5's learning-rate factor by epoch (train.py `lf`), E = total epochs.
public enum LearningRateSchedule: String, Sendable, Codable {
    /// (1 − e/E)(1 − lrf) + lrf: v7's default.
    case linear
    /// lrf + (1 − lrf)(1 + cos(πe/E))/2: `--cos-lr`, and the only schedule of the guide era.
    case cosine

    /// lf(e), with train.py's operations in train.py's order (utils/general.py `one_cycle` for cosine),
    /// so that the learning rates equal PyTorch's bit for bit.
    public func factor(epoch e: Int, epochs: Int, lrf: Double) -> Double {
        switch self {
        case .linear: return (1 - Double(e) / Double(epochs)) * (1.0 - lrf) + lrf
        case .cosine: return ((1 - cos(Double(e) * Double.pi / Double(epochs))) / 2) * (lrf - 1) + 1
        }
    }
}

/// The optimizer settings for one global iteration, including warm-up (train.py v7):
/// while ni ≤ nw, the bias lr falls from warmup_bias_lr and the others rise from 0 to lr0·lf(e),
/// momentum rises from warmup_momentum, and accumulate rises from 1 to nbs/batch.
///
/// After warm-up the learning rate is the one `LambdaLR` set at the previous epoch's end, and it
/// is one epoch late: train.py builds the scheduler (whose constructor already applies lf(0)) and
/// then sets `scheduler.last_epoch = start_epoch - 1`, so the first `scheduler.step()` applies
/// lf(0) again and epoch e ≥ 1 trains at lr0·lf(e − 1). In the epoch where warm-up ends, the
/// iterations after it keep warm-up's last value, lr0·lf(e).
public struct WarmupSchedule: Sendable {
    public let hyp: Hyperparameters
    public let schedule: LearningRateSchedule
    public let epochs: Int
    public let batchesPerEpoch: Int
    public let batchSize: Int
    /// YOLOv5's nominal batch size (`nbs = 64` in train.py): gradients accumulate to it.
    public static let yoloNominalBatchSize = 64
    /// YOLOv5 v6.2+'s shortest warm-up, in iterations (`max(round(warmup_epochs * nb), 100)`).
    public static let minimumWarmupIterations = 100
    public let nominalBatchSize: Int
    /// Warm-up iterations: max(round(warmup_epochs·nb), 100) (v6.2+).
    public var warmupIterations: Int {
        max(Int((hyp.warmupEpochs * Double(batchesPerEpoch)).rounded(.toNearestOrEven)), Self.minimumWarmupIterations)
    }
    /// Gradient accumulation after warm-up: max(round(nbs/batch), 1).
    public var accumulate: Int { max(Int((Double(nominalBatchSize) / Double(batchSize)).rounded(.toNearestOrEven)), 1) }
    /// weight_decay · batch · accumulate / nbs.
    public var weightDecay: Double { hyp.weightDecay * Double(batchSize * accumulate) / Double(nominalBatchSize) }

    public init(hyp: Hyperparameters, schedule: LearningRateSchedule, epochs: Int, batchesPerEpoch: Int, batchSize: Int,
                nominalBatchSize: Int = yoloNominalBatchSize) {
        self.hyp = hyp
        self.schedule = schedule
        self.epochs = epochs
        self.batchesPerEpoch = batchesPerEpoch
        self.batchSize = batchSize
        self.nominalBatchSize = nominalBatchSize
    }

    /// lr0·lf(e): what `LambdaLR` sets after epoch e (`base_lr * lmbda(last_epoch)`).
    public func scheduledLearningRate(epoch e: Int) -> Double {
        hyp.lr0 * schedule.factor(epoch: e, epochs: epochs, lrf: hyp.lrf)
    }

    /// Learning rates per group (biases, weights, BN weights), momentum and accumulation for
    /// global iteration `ni` in `epoch`.
    public func settings(iteration ni: Int, epoch: Int) -> (learningRates: [Double], momentum: Double, accumulate: Int) {
        let nw = warmupIterations
        guard ni <= nw else {
            // The epoch in which ni = nw fell keeps warm-up's last value; later ones LambdaLR's, one epoch late.
            let warmupEnded = nw / batchesPerEpoch
            let rate = scheduledLearningRate(epoch: epoch == warmupEnded ? epoch : epoch - 1)
            return ([rate, rate, rate], hyp.momentum, accumulate)
        }
        let target = scheduledLearningRate(epoch: epoch)
        let accumulation = interpolate(ni, over: nw, from: 1, to: Double(nominalBatchSize) / Double(batchSize))
        let biasLR = interpolate(ni, over: nw, from: hyp.warmupBiasLR, to: target)
        let otherLR = interpolate(ni, over: nw, from: 0, to: target)
        let momentum = interpolate(ni, over: nw, from: hyp.warmupMomentum, to: hyp.momentum)
        return ([biasLR, otherLR, otherLR], momentum, max(1, Int(accumulation.rounded(.toNearestOrEven))))
    }
}

/// `np.interp(x, [0, x1], [a, b])` for 0 ≤ x, bit for bit: numpy returns b itself from x1 on
/// and otherwise computes the slope first, then slope·x + a.
func interpolate(_ x: Int, over x1: Int, from a: Double, to b: Double) -> Double {
    if x >= x1 { return b }
    return (b - a) / Double(x1) * Double(x) + a
}
