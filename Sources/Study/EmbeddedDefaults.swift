/// The embedded synthetic data and pretraining (study file keys `synthetic` and `pretraining`).
public struct EmbeddedDefaults: Equatable, Sendable {
    /// Images of the synthetic `voc` task and their size (long side, pixels).
    public var vocImages = 1000
    public var vocImageSize = 320
    /// Images of the synthetic `source` task.
    public var sourceImages = 1500
    /// Pretraining on `source`: epochs, image size, batch, hyp.
    public var pretrainEpochs = 10
    public var pretrainImageSize = 160
    public var pretrainBatchSize = 16
    public var pretrainHyp = "hyps/hyp.synthetic-pretrain.yaml"
    /// Gradient accumulation target of pretraining (train.py's nbs; 64 in YOLOv5).
    public var pretrainNominalBatchSize = 64
    public var seed = 0
}
