import ConfigFile
import Foundation
import VOCData

/// How the synthetic source task's classes relate to the target's (study file key
/// `synthetic: source_classes`).
public enum SourceClassRelation: String, Sendable, CaseIterable {
    /// As COCO's 80 classes contain VOC's 20: the 20 target classes and 60 others (the default).
    case superset
    /// The earlier source task: 24 classes, none of them a target class (kept to compare with).
    case disjoint

    /// The synthetic task that has these classes.
    public var task: SyntheticTask { self == .superset ? .source : .sourceDisjoint }
}

/// The embedded synthetic data and pretraining (study file keys `synthetic` and `pretraining`).
public struct EmbeddedDefaults: Equatable, Sendable {
    /// Images of the synthetic `voc` task and their size (long side, pixels; the source task's too).
    public var vocImages = 1000
    public var vocImageSize = 320
    /// Images of the synthetic source task.
    public var sourceImages = 1500
    /// The source task's classes: a superset of the target's (COCO ⊃ VOC) or disjoint from them.
    public var sourceClasses = SourceClassRelation.superset
    /// Pretraining on the source task: epochs, image size, batch, hyp.
    public var pretrainEpochs = 10
    public var pretrainImageSize = 160
    public var pretrainBatchSize = 16
    public var pretrainHyp = "hyps/hyp.synthetic-pretrain.yaml"
    /// Gradient accumulation target of pretraining (train.py's nbs; 64 in YOLOv5).
    public var pretrainNominalBatchSize = 64
    public var seed = 0

    /// The generator configuration of the synthetic `task` dataset.
    public func syntheticConfiguration(_ task: SyntheticTask) -> SyntheticVOC.Configuration {
        SyntheticVOC.Configuration(task: task, images: task == .voc ? vocImages : sourceImages, seed: UInt64(seed),
                                   imageSize: vocImageSize)
    }
}

extension StudyFile {
    /// The `synthetic` and `pretraining` sections of a study file.
    static func embedded(synthetic: ConfigNode?, pretraining: ConfigNode?) throws -> EmbeddedDefaults {
        var e = EmbeddedDefaults()
        if let synthetic {
            let f = try synthetic.fields(allowed: ["images", "image_size", "source_images", "source_classes", "seed"])
            if let v = f["images"] { e.vocImages = try v.int() }
            if let v = f["image_size"] { e.vocImageSize = try v.int() }
            if let v = f["source_images"] { e.sourceImages = try v.int() }
            if let v = f["source_classes"] {
                guard let relation = SourceClassRelation(rawValue: try v.string()) else {
                    throw v.error("must be \(SourceClassRelation.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
                }
                e.sourceClasses = relation
            }
            if let v = f["seed"] { e.seed = try v.int() }
            for (key, value) in [("images", e.vocImages), ("image_size", e.vocImageSize), ("source_images", e.sourceImages)] where value <= 0 {
                throw f[key]!.error("must be positive")
            }
        }
        if let pretraining {
            let f = try pretraining.fields(allowed: ["epochs", "image_size", "batch_size", "hyp", "nominal_batch_size"])
            if let v = f["epochs"] { e.pretrainEpochs = try v.int() }
            if let v = f["image_size"] {
                e.pretrainImageSize = try v.int()
                guard e.pretrainImageSize > 0, e.pretrainImageSize % 32 == 0 else { throw v.error("must be a positive multiple of 32") }
            }
            if let v = f["batch_size"] { e.pretrainBatchSize = try v.int() }
            if let v = f["hyp"] { e.pretrainHyp = try v.string() }
            if let v = f["nominal_batch_size"] { e.pretrainNominalBatchSize = try v.int() }
            for (key, value) in [("epochs", e.pretrainEpochs), ("batch_size", e.pretrainBatchSize),
                                 ("nominal_batch_size", e.pretrainNominalBatchSize)] where value <= 0 {
                throw f[key]!.error("must be positive")
            }
        }
        return e
    }
}
