import Foundation
import NeuralCore
import YOLOv5

/// YOLOv5's `ModelEMA` (utils/torch_utils.py): an exponential moving average of every
/// floating-point state entry (weights, biases, BN running statistics, anchors), with decay
/// 0.9999·(1 − exp(−updates/2000)). Validation and checkpoints use it.
///
/// The averages of the parameters live in one arena laid out like the model's (`SGD.arena`), so
/// an update is one pass over all parameters (frozen ones too, as in YOLOv5: their average
/// stays at their value up to Float32 rounding) plus one small pass per BN statistic and anchors.
public final class ModelEMA {
    /// A model of the same architecture holding the averages.
    public let model: YOLOv5Model
    /// Optimizer steps averaged so far.
    public var updates: Int
    public static let decay = 0.9999
    public static let rampUpdates = 2000.0
    /// The trained model's parameters and their averages, in one order.
    private let source: ParameterArena
    private let averages: ParameterArena
    /// State entries that are not parameters (BN running statistics, anchors): (average, source).
    private let buffers: [(average: Tensor, source: Tensor)]

    /// Starts as a copy of `model` (after weight transfer), with `updates` steps already done;
    /// `parameters` is the arena holding the model's parameters (the optimizer's).
    public init(copying model: YOLOv5Model, parameters: ParameterArena, updates: Int = 0) throws {
        var rng = SeededGenerator(seed: 0)
        self.model = try YOLOv5Model(spec: model.spec, classCount: model.classCount, using: &rng)
        self.updates = updates
        let names = Dictionary(uniqueKeysWithValues: model.namedParameters().map { (ObjectIdentifier($0.1), $0.0) })
        let copies = Dictionary(uniqueKeysWithValues: self.model.namedParameters())
        averages = ParameterArena(parameters.parameters.map { p -> Parameter in
            guard let name = names[ObjectIdentifier(p)], let copy = copies[name] else {
                preconditionFailure("ModelEMA: the arena holds a parameter that is not the model's")
            }
            return copy
        })
        precondition(averages.count == parameters.count && copies.count == parameters.parameters.count,
                     "ModelEMA: the arena does not hold exactly the model's parameters")
        averages.values.assign(parameters.values)
        source = parameters
        let parameterNames = Set(names.values)
        let averageState = Dictionary(uniqueKeysWithValues: self.model.stateDict())
        buffers = model.stateDict().filter { !parameterNames.contains($0.0) }.map { name, tensor in
            let average = averageState[name]!
            average.assign(tensor)
            return (average, tensor)
        }
    }

    /// The decay used by the next update.
    public var nextDecay: Double { Self.decay * (1 - exp(-Double(updates + 1) / Self.rampUpdates)) }

    /// ema ← d·ema + (1 − d)·model, after an optimizer step.
    public func update() {
        precondition(source.holdsEveryParameter, "ModelEMA.update: the model's parameters moved to another arena")
        let d = nextDecay
        updates += 1
        exponentialMovingAverage(averages.values, toward: source.values, decay: d)
        for (average, source) in buffers { exponentialMovingAverage(average, toward: source, decay: d) }
    }
}
