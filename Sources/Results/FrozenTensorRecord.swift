/// Proof that frozen was frozen, per run (group `…/seeds/<seed>/frozen_check`): every tensor the
/// scenario said must not change, with its digest before training and at its last check, the
/// last epoch through which it had to stay fixed and the epoch after which it was found changed
/// (must be none); and the running-variance drift of the BatchNorms of frozen layers.
public struct FrozenTensorRecord: Equatable, Sendable {
    /// One guarded tensor.
    public struct Tensor: Equatable, Sendable {
        /// State-dict name (`model.0.conv.weight`, `model.0.bn.running_var`).
        public var name: String
        public var startDigest: String, endDigest: String
        /// The last epoch (0-based) through which it had to stay bit-identical.
        public var fixedThroughEpoch: Int
        /// The epoch after which it differed while it had to stay fixed (nil: never).
        public var changedInEpoch: Int?

        public init(name: String, startDigest: String, endDigest: String, fixedThroughEpoch: Int, changedInEpoch: Int?) {
            self.name = name
            self.startDigest = startDigest
            self.endDigest = endDigest
            self.fixedThroughEpoch = fixedThroughEpoch
            self.changedInEpoch = changedInEpoch
        }
    }

    /// The digest's name (`sha256`).
    public var algorithm: String
    public var tensors: [Tensor]
    /// BatchNorms of layers frozen at the start, and the mean relative change of each one's
    /// running variance over the run.
    public var batchNormNames: [String]
    public var runningVarianceDrift: [Double]

    public init(algorithm: String, tensors: [Tensor], batchNormNames: [String], runningVarianceDrift: [Double]) {
        self.algorithm = algorithm
        self.tensors = tensors
        self.batchNormNames = batchNormNames
        self.runningVarianceDrift = runningVarianceDrift
    }

    /// Tensors that changed while they had to stay fixed.
    public var changed: [Tensor] { tensors.filter { $0.changedInEpoch != nil } }
}
