import YOLOv5

/// When the layers a scenario freezes start to train (study keys `unfreeze_at`, `unfreeze`,
/// `unfreeze_step`, `unfreeze_layers`).
///
/// A layer that unfreezes joins its YOLOv5 parameter group (biases, weights, BN weights) at the
/// group's current scheduled learning rate (times its `lr_mult`), with no momentum history: its
/// first step is PyTorch SGD's first step (buffer = gradient), as when train.py's optimizer meets
/// a parameter that had `requires_grad=False`. There is no extra warm-up for it (Lightning's
/// `BackboneFinetuning` instead starts the backbone at `backbone_initial_ratio_lr` × the lr and
/// raises it each epoch).
public enum UnfreezeSchedule: Equatable, Sendable {
    /// The frozen layers stay frozen (YOLOv5).
    case never
    /// Every frozen layer trains from epoch `epoch` on (fastai `fine_tune(freeze_epochs)`,
    /// Lightning `unfreeze_backbone_at_epoch`).
    case at(epoch: Int)
    /// ULMFiT's gradual unfreezing, from the head down: at epoch `from`, and every `everyEpochs`
    /// epochs after it, the `layersPerStep` highest layers that are still frozen start to train.
    case gradual(from: Int, everyEpochs: Int, layersPerStep: Int)

    /// The first epoch in which anything unfreezes (nil: never).
    public var firstEpoch: Int? {
        switch self {
        case .never: return nil
        case .at(let epoch), .gradual(let epoch, _, _): return epoch
        }
    }
}

/// How frozen layers unfreeze from `unfreeze_at` on (study key `unfreeze`).
public enum UnfreezeMode: String, Sendable, CaseIterable {
    /// Every frozen layer at once.
    case all
    /// `unfreeze_layers` layers every `unfreeze_step` epochs, from the head down (first step at
    /// `unfreeze_at`, or after `unfreeze_step` epochs without it).
    case gradual
}

/// A factor on the learning rate or the weight decay of the parameters a selection matches
/// (MMDetection `paramwise_cfg.custom_keys`), e.g. `lr_mult: { "0-9": 0.1 }`.
public struct ParameterMultiplier: Equatable, Sendable {
    /// Which parameters: written like a freeze spec (a range `0-9`, a list, a count, name patterns).
    public let selection: FreezeSpec
    /// The factor.
    public let factor: Double

    /// A factor for the parameters `selection` matches.
    public init(selection: FreezeSpec, factor: Double) {
        self.selection = selection
        self.factor = factor
    }
}

/// Everything a scenario says about how fine-tuning treats its layers over time: what is frozen
/// at the start, what frozen layers' BatchNorm does, when they unfreeze, and per-layer factors on
/// the learning rate and weight decay, on top of YOLOv5's three groups and its warm-up.
public struct FineTuningSchedule: Equatable, Sendable {
    public var freeze: FreezeSpec
    public var batchNorm: BatchNormPolicy
    public var unfreeze: UnfreezeSchedule
    public var learningRateMultipliers: [ParameterMultiplier]
    public var weightDecayMultipliers: [ParameterMultiplier]

    /// A schedule; by default YOLOv5's: frozen layers stay frozen, no factors.
    public init(freeze: FreezeSpec, batchNorm: BatchNormPolicy = .update, unfreeze: UnfreezeSchedule = .never,
                learningRateMultipliers: [ParameterMultiplier] = [], weightDecayMultipliers: [ParameterMultiplier] = []) {
        self.freeze = freeze
        self.batchNorm = batchNorm
        self.unfreeze = unfreeze
        self.learningRateMultipliers = learningRateMultipliers
        self.weightDecayMultipliers = weightDecayMultipliers
    }
}

/// A schedule that contradicts itself or the model; `key` is the study-file key at fault.
public struct FineTuningScheduleError: Error, CustomStringConvertible, Equatable {
    public let key: String
    public let reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "'\(key)': \(reason)" }
}

/// The study-file keys of the schedule, defined once (messages, configuration, flags).
public enum FineTuningKey {
    public static let unfreezeAt = "unfreeze_at"
    public static let unfreeze = "unfreeze"
    public static let unfreezeStep = "unfreeze_step"
    public static let unfreezeLayers = "unfreeze_layers"
    public static let learningRateMultiplier = "lr_mult"
    public static let weightDecayMultiplier = "decay_mult"
}
