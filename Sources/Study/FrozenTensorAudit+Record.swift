import Results
import Training

extension FrozenTensorAudit {
    /// The audit as recorded with the run (`frozen_check`).
    var record: FrozenTensorRecord {
        let drift = batchNormDrift
        return FrozenTensorRecord(
            algorithm: TensorDigest.algorithm,
            tensors: entries.map {
                FrozenTensorRecord.Tensor(name: $0.name, startDigest: $0.startDigest, endDigest: $0.lastDigest,
                                          fixedThroughEpoch: $0.fixedThroughEpoch, changedInEpoch: $0.changedInEpoch)
            },
            batchNormNames: drift.map(\.name), runningVarianceDrift: drift.map(\.meanRelativeChange))
    }
}
