import Training
import VOCData
import YOLOv5

/// Where a scenario's data comes from (study file key `data`).
public enum DataSource: Equatable, Sendable, CustomStringConvertible {
    /// The embedded synthetic VOC, generated on first use and cached (`synthetic`).
    case synthetic
    /// A VOCdevkit folder, a YOLO layout folder or a YOLOv5 data YAML, relative to the study file.
    case path(String)

    /// `synthetic` or a path, as written in a study file.
    public init(_ text: String) { self = text == "synthetic" ? .synthetic : .path(text) }

    /// As written in a study file.
    public var description: String {
        switch self {
        case .synthetic: return "synthetic"
        case .path(let path): return path
        }
    }
}

/// What a scenario's model starts from (study file key `weights`, flag `--weights`).
public enum WeightsSource: Equatable, Sendable, CustomStringConvertible {
    /// The model pretrained on the embedded synthetic source task, trained on first use and
    /// cached (`pretrained`): the stand-in for COCO weights.
    case pretrained
    /// PyTorch's default initialisation, nothing loaded (`none`).
    case scratch
    /// A YOLOv5 `.pt` or a FreezeStudy `.safetensors`, relative to the study file (or absolute).
    case file(String)

    /// `pretrained`, `none` or a path, as written in a study file.
    public init(_ text: String) {
        switch text {
        case "pretrained": self = .pretrained
        case "none": self = .scratch
        default: self = .file(text)
        }
    }

    /// As written in a study file.
    public var description: String {
        switch self {
        case .pretrained: return "pretrained"
        case .scratch: return "none"
        case .file(let path): return path
        }
    }
}

/// The settings of one scenario (a study file's top level, overridden per scenario), and the
/// seed of one run of it.
public struct StudySettings: Equatable, Sendable {
    /// Model YAML.
    public var model: String
    /// Where the data comes from.
    public var data: DataSource
    /// What the model starts from.
    public var weights: WeightsSource
    /// Training and validation image size (long side, pixels; a multiple of 32).
    public var imageSize: Int
    /// Training images per batch.
    public var batchSize: Int
    /// Epochs to train.
    public var epochs: Int
    /// Hyperparameter file (YOLOv5 format).
    public var hyp: String
    /// The seed of the run these settings train (the study's seeds are `StudyFile.seeds`; a
    /// scenario cannot choose its own, so that runs of one seed compare paired).
    public var seed: Int
    /// What frozen layers' BatchNorm does.
    public var bn: BatchNormPolicy
    /// `linear` (v7) or `cosine`.
    public var schedule: LearningRateSchedule
    /// Gradients accumulate to this many images per step (train.py's nbs = 64).
    public var nominalBatchSize: Int
    /// Validation batch size (YOLOv5 v7 uses twice the training batch).
    public var validationBatchSize: Int?
    /// Background threads preparing training batches.
    public var workers: Int
    /// `ram` keeps decoded images in memory (`--cache`); `none` decodes every time.
    public var cache: ImageCacheMode
    /// The epoch from which the frozen layers train (nil: never; study key `unfreeze_at`).
    public var unfreezeAt: Int? = nil
    /// All frozen layers at once, or gradually from the head down (`unfreeze`).
    public var unfreeze: UnfreezeMode = .all
    /// Gradual unfreezing: epochs between steps (`unfreeze_step`).
    public var unfreezeStep = 1
    /// Gradual unfreezing: layers unfrozen per step (`unfreeze_layers`).
    public var unfreezeLayers = 1
    /// Factors on the learning rate of selected layers (`lr_mult`).
    public var learningRateMultipliers: [ParameterMultiplier] = []
    /// Factors on the weight decay of selected layers (`decay_mult`).
    public var weightDecayMultipliers: [ParameterMultiplier] = []

    /// The fine-tuning schedule these settings give a scenario freezing `freeze`.
    public func fineTuningSchedule(freeze: FreezeSpec) -> FineTuningSchedule {
        let unfreezeSchedule: UnfreezeSchedule
        switch (unfreeze, unfreezeAt) {
        case (.all, nil): unfreezeSchedule = .never
        case (.all, let epoch?): unfreezeSchedule = .at(epoch: epoch)
        case (.gradual, let epoch): unfreezeSchedule = .gradual(from: epoch ?? unfreezeStep, everyEpochs: unfreezeStep, layersPerStep: unfreezeLayers)
        }
        return FineTuningSchedule(freeze: freeze, batchNorm: bn, unfreeze: unfreezeSchedule,
                                  learningRateMultipliers: learningRateMultipliers, weightDecayMultipliers: weightDecayMultipliers)
    }

    /// The defaults of a study file that does not set them.
    public static let defaults = StudySettings(
        model: "models/yolov5n.yaml", data: .synthetic, weights: .pretrained, imageSize: 320, batchSize: 16, epochs: 10,
        hyp: "hyps/hyp.finetune.yaml", seed: 0, bn: .update, schedule: .linear, nominalBatchSize: 64,
        validationBatchSize: nil, workers: 1, cache: .ram)
}

/// One scenario: a name, a freeze spec, and overrides of the shared settings.
public struct ScenarioDefinition: Equatable, Sendable {
    /// The scenario's name (letters, digits, `.`, `_`, `-`: it names files).
    public var name: String
    /// What it freezes.
    public var freeze: FreezeSpec
    /// The shared settings with its overrides.
    public var settings: StudySettings
    /// Line in the study file (for messages).
    public var line: Int?
    /// Lines of the settings that apply to it, by key (the scenario's own, else the study's), for messages.
    public var keyLines: [String: Int] = [:]

    /// A scenario.
    public init(name: String, freeze: FreezeSpec, settings: StudySettings, line: Int?) {
        self.name = name
        self.freeze = freeze
        self.settings = settings
        self.line = line
    }
}
