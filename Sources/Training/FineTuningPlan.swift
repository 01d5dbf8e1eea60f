import NeuralCore
import YOLOv5

/// A `FineTuningSchedule` resolved against one model and a number of epochs: per parameter, the
/// first epoch it trains and its learning-rate and weight-decay factors. Building it checks that
/// the settings do not contradict each other; `apply(epoch:to:)` sets the model's freezing and
/// BatchNorm state for an epoch (idempotent, so a resumed run calls it for the epoch it resumes).
public struct FineTuningPlan: Sendable {
    public let schedule: FineTuningSchedule
    public let epochs: Int
    /// Parameter names in the model's order.
    public let names: [String]
    /// Per parameter: the first epoch it trains (0 from the start, nil never).
    public let trainsFrom: [Int?]
    /// Per parameter: factors on its group's learning rate and weight decay.
    public let learningRateMultipliers: [Double], weightDecayMultipliers: [Double]

    /// Resolves `schedule` for `model` trained `epochs` epochs; throws naming the key at fault.
    public init(_ schedule: FineTuningSchedule, model: YOLOv5Model, epochs: Int) throws {
        self.schedule = schedule
        self.epochs = epochs
        names = model.namedParameters().map(\.0)
        let frozen = names.map { schedule.freeze.freezes($0) }
        trainsFrom = try Self.trainsFrom(schedule.unfreeze, names: names, frozen: frozen, epochs: epochs)
        learningRateMultipliers = try Self.factors(schedule.learningRateMultipliers, key: FineTuningKey.learningRateMultiplier,
                                                   names: names, trainsFrom: trainsFrom)
        weightDecayMultipliers = try Self.factors(schedule.weightDecayMultipliers, key: FineTuningKey.weightDecayMultiplier,
                                                  names: names, trainsFrom: trainsFrom)
    }

    /// Whether parameter `index` is frozen during `epoch`.
    public func isFrozen(_ index: Int, epoch: Int) -> Bool { trainsFrom[index].map { epoch < $0 } ?? true }

    /// Parameter names that start to train at the start of `epoch` (empty for most epochs).
    public func unfreezing(atEpoch epoch: Int) -> [String] {
        names.indices.filter { epoch > 0 && trainsFrom[$0] == epoch }.map { names[$0] }
    }

    /// Sets which parameters train in `epoch`, and each BatchNorm's statistics: fixed for a
    /// frozen layer under `bn: frozen` and `frozen-bn`, moving otherwise. Under `frozen-bn`, every
    /// Conv block frozen as a whole runs folded (one convolution with bias); the parameters
    /// themselves, and so checkpoints, the EMA and the frozen-tensor check, never change.
    public func apply(epoch: Int, to model: YOLOv5Model) {
        let parameters = model.namedParameters()
        precondition(parameters.map(\.0) == names, "FineTuningPlan.apply: the plan was made for another model")
        for (index, (_, parameter)) in parameters.enumerated() {
            let trains = !isFrozen(index, epoch: epoch)
            if parameter.isTrainable != trains { parameter.isTrainable = trains }
        }
        for (_, bn) in model.namedBatchNorms {
            bn.keepsStatisticsFixed = schedule.batchNorm.keepsFrozenStatisticsFixed && !bn.weight.isTrainable && !bn.bias.isTrainable
        }
        if schedule.batchNorm == .frozenBN {
            // Folded from the weights as they are now (after a checkpoint's restore too), and
            // unfolded where a block has started to train.
            model.unfoldBatchNorms()
            model.foldFrozenBatchNorms()
        }
    }

    /// The layer index of a `model.N.…` name.
    public static func layer(of name: String) -> Int? {
        let parts = name.split(separator: ".", maxSplits: 2)
        return parts.count >= 2 && parts[0] == "model" ? Int(parts[1]) : nil
    }

    private static func trainsFrom(_ unfreeze: UnfreezeSchedule, names: [String], frozen: [Bool], epochs: Int) throws -> [Int?] {
        guard let first = unfreeze.firstEpoch else { return frozen.map { $0 ? nil : 0 } }
        let key = FineTuningKey.unfreezeAt
        guard frozen.contains(true) else { throw FineTuningScheduleError(key: key, reason: "nothing is frozen to unfreeze") }
        guard first > 0 else {
            throw FineTuningScheduleError(key: key, reason: "0 would unfreeze before the first epoch (that is freeze: none)")
        }
        guard first < epochs else {
            throw FineTuningScheduleError(key: key, reason: "epoch \(first) is not before the last epoch (epochs: \(epochs), "
                                          + "counted from 0), so the frozen layers would never train")
        }
        switch unfreeze {
        case .never: return frozen.map { $0 ? nil : 0 }
        case .at(let epoch): return frozen.map { $0 ? epoch : 0 }
        case .gradual(let start, let every, let perStep):
            // From the head down: the highest frozen layer first.
            let layers = Set(names.indices.filter { frozen[$0] }.compactMap { layer(of: names[$0]) }).sorted(by: >)
            let epochOfLayer = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($0.element, start + $0.offset / perStep * every) })
            if let lowest = layers.last, let last = epochOfLayer[lowest], last >= epochs {
                throw FineTuningScheduleError(key: FineTuningKey.unfreezeStep, reason: "layer \(lowest) would unfreeze at epoch \(last), "
                                              + "after the last epoch (\(epochs - 1)); unfreeze more layers per step or start earlier")
            }
            return names.indices.map { frozen[$0] ? layer(of: names[$0]).flatMap { epochOfLayer[$0] } : 0 }
        }
    }

    private static func factors(_ multipliers: [ParameterMultiplier], key: String, names: [String],
                                trainsFrom: [Int?]) throws -> [Double] {
        var factors = [Double](repeating: 1, count: names.count)
        var chosenBy = [String?](repeating: nil, count: names.count)
        for multiplier in multipliers {
            let matched = names.indices.filter { multiplier.selection.freezes(names[$0]) }
            guard !matched.isEmpty else {
                throw FineTuningScheduleError(key: key, reason: "'\(multiplier.selection.text)' matches no parameter of this model")
            }
            for index in matched {
                if let other = chosenBy[index] {
                    throw FineTuningScheduleError(key: key, reason: "'\(multiplier.selection.text)' and '\(other)' both match "
                                                  + "\(names[index]); give each parameter one factor")
                }
                chosenBy[index] = multiplier.selection.text
                factors[index] = multiplier.factor
            }
            if let never = matched.first(where: { trainsFrom[$0] == nil }) {
                throw FineTuningScheduleError(key: key, reason: "'\(multiplier.selection.text)' matches \(names[never]), which is frozen "
                                              + "and never unfreezes (set unfreeze_at, or narrow the selection)")
            }
        }
        return factors
    }
}
