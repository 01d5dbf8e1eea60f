import NeuralCore
import YOLOv5

/// Proof that frozen is frozen: the SHA-256 of every tensor the plan says must not change
/// (frozen parameters while frozen; under `bn: frozen`/`frozen-bn` the running statistics of
/// frozen layers while frozen), taken before training and compared after every epoch; and,
/// for the frozen layers' BatchNorms, how far their running variance drifted (under
/// `bn: update` it moves, the drift users meet in ultralytics #9391).
public final class FrozenTensorAudit {
    /// One guarded tensor.
    public struct Entry: Sendable, Equatable {
        /// PyTorch state-dict name (`model.0.conv.weight`, `model.0.bn.running_var`).
        public let name: String
        /// SHA-256 of its bytes before training.
        public let startDigest: String
        /// SHA-256 at the last check, and the epoch of that check.
        public internal(set) var lastDigest: String
        public internal(set) var lastCheckedEpoch: Int?
        /// The last epoch through which it must stay bit-identical (the epoch before it
        /// unfreezes; the last epoch when it never does).
        public let fixedThroughEpoch: Int
        /// The first epoch after which it differed while it had to stay fixed (nil: never).
        public internal(set) var changedInEpoch: Int?
    }

    /// Mean relative change of a frozen layer's BatchNorm running variance,
    /// mean over channels of |var_end − var_start| / var_start.
    public struct Drift: Sendable, Equatable {
        public let name: String
        public let meanRelativeChange: Double
    }

    public private(set) var entries: [Entry]
    private let tensors: [Tensor]
    private let frozenBatchNorms: [(name: String, runningVariance: Tensor, start: [Float])]

    /// Digests what `plan` guards in `model`, as it is now (weights loaded, before training).
    public init(_ model: YOLOv5Model, plan: FineTuningPlan) {
        let lastEpoch = plan.epochs - 1
        let fixedThrough = Dictionary(uniqueKeysWithValues: plan.names.indices.compactMap { index -> (String, Int)? in
            guard plan.isFrozen(index, epoch: 0) else { return nil }
            return (plan.names[index], plan.trainsFrom[index].map { $0 - 1 } ?? lastEpoch)
        })
        var guarded: [(String, Tensor, Int)] = model.namedParameters().compactMap { name, parameter in
            fixedThrough[name].map { (name, parameter.value, $0) }
        }
        var batchNorms: [(name: String, runningVariance: Tensor, start: [Float])] = []
        for (name, bn) in model.namedBatchNorms {
            guard let weight = fixedThrough[name + ".weight"], let bias = fixedThrough[name + ".bias"] else { continue }
            batchNorms.append((name + ".running_var", bn.runningVariance, bn.runningVariance.values))
            if plan.schedule.batchNorm.keepsFrozenStatisticsFixed {
                let through = min(weight, bias)
                guarded += [(name + ".running_mean", bn.runningMean, through), (name + ".running_var", bn.runningVariance, through)]
            }
        }
        tensors = guarded.map(\.1)
        entries = guarded.map { name, tensor, through in
            let digest = TensorDigest.sha256(tensor)
            return Entry(name: name, startDigest: digest, lastDigest: digest, lastCheckedEpoch: nil, fixedThroughEpoch: through)
        }
        frozenBatchNorms = batchNorms
    }

    /// Compares every tensor that had to stay fixed through `epoch` with its starting digest.
    public func check(afterEpoch epoch: Int) {
        for index in entries.indices where epoch <= entries[index].fixedThroughEpoch {
            let digest = TensorDigest.sha256(tensors[index])
            entries[index].lastDigest = digest
            entries[index].lastCheckedEpoch = epoch
            if digest != entries[index].startDigest, entries[index].changedInEpoch == nil { entries[index].changedInEpoch = epoch }
        }
    }

    /// Tensors that changed while they had to stay fixed, in order (must be empty).
    public var changed: [String] { entries.filter { $0.changedInEpoch != nil }.map(\.name) }

    /// The running-variance drift of every BatchNorm whose layer was frozen at the start, in graph order.
    public var batchNormDrift: [Drift] {
        frozenBatchNorms.map { name, variance, start in
            let now = variance.values
            let total = zip(now, start).map { abs(Double($0) - Double($1)) / max(abs(Double($1)), Double(Float.leastNormalMagnitude)) }
                .reduce(0, +)
            return Drift(name: name, meanRelativeChange: start.isEmpty ? 0 : total / Double(start.count))
        }
    }
}
