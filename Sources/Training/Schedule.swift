import Foundation

/// YOLOv5's learning-rate factor by epoch (train.py `lf`), E = total epochs.
public enum LearningRateSchedule: String, Sendable, Codable {
    /// (1 − e/E)(1 − lrf) + lrf: v7's default.
    case linear
    /// lrf + (1 − lrf)(1 + cos(πe/E))/2: `--cos-lr`, and the only schedule of the guide era.
    case cosine

    public func factor(epoch e: Int, epochs: Int, lrf: Double) -> Double {
        let progress = Double(e) / Double(epochs)
        switch self {
        case .linear: return (1 - progress) * (1 - lrf) + lrf
        case .cosine: return ((1 - cos(progress * Double.pi)) / 2) * (lrf - 1) + 1
        }
    }
}

/// The optimizer settings for one global iteration, including warm-up (train.py v7):
/// while ni ≤ nw, the bias lr falls from warmup_bias_lr and the others rise from 0 to lr0·lf(e),
/// momentum rises from warmup_momentum, and accumulate rises from 1 to nbs/batch.
public struct WarmupSchedule: Sendable {
    public let hyp: Hyperparameters
    public let schedule: LearningRateSchedule
    public let epochs: Int
    public let batchesPerEpoch: Int
    public let batchSize: Int
    /// YOLOv5's nominal batch size (`nbs = 64` in train.py): gradients accumulate to it.
    public static let yoloNominalBatchSize = 64
    public let nominalBatchSize: Int
    /// Warm-up iterations: max(round(warmup_epochs·nb), 100) (v6.2+).
    public var warmupIterations: Int {
        max(Int((hyp.warmupEpochs * Double(batchesPerEpoch)).rounded(.toNearestOrEven)), 100)
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

    /// Learning rates per group (biases, weights, BN weights), momentum and accumulation for
    /// global iteration `ni` in `epoch`.
    public func settings(iteration ni: Int, epoch: Int) -> (learningRates: [Double], momentum: Double, accumulate: Int) {
        let target = hyp.lr0 * schedule.factor(epoch: epoch, epochs: epochs, lrf: hyp.lrf)
        let nw = warmupIterations
        guard ni <= nw else { return ([target, target, target], hyp.momentum, accumulate) }
        let t = Double(ni) / Double(nw)  // np.interp(ni, [0, nw], ...)
        let accumulation = max(1, Int((1 + t * (Double(nominalBatchSize) / Double(batchSize) - 1)).rounded(.toNearestOrEven)))
        let biasLR = hyp.warmupBiasLR + t * (target - hyp.warmupBiasLR)
        let otherLR = t * target
        let momentum = hyp.warmupMomentum + t * (hyp.momentum - hyp.warmupMomentum)
        return ([biasLR, otherLR, otherLR], momentum, accumulation)
    }
}
