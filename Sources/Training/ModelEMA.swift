import Foundation
import NeuralCore
import YOLOv5

/// YOLOv5's `ModelEMA` (utils/torch_utils.py): an exponential moving average of every
/// floating-point state entry (weights, biases, BN running statistics, anchors), with decay
/// 0.9999·(1 − exp(−updates/2000)). Validation and checkpoints use it.
public final class ModelEMA {
    /// A model of the same architecture holding the averages.
    public let model: YOLOv5Model
    /// Optimizer steps averaged so far.
    public var updates: Int
    public static let decay = 0.9999
    public static let rampUpdates = 2000.0
    private let source: [Tensor]
    private let target: [Tensor]

    /// Starts as a copy of `model` (after weight transfer), with `updates` steps already done.
    public init(copying model: YOLOv5Model, updates: Int = 0) throws {
        var rng = SeededGenerator(seed: 0)
        self.model = try YOLOv5Model(spec: model.spec, classCount: model.classCount, using: &rng)
        self.updates = updates
        source = model.stateDict().map(\.1)
        target = self.model.stateDict().map(\.1)
        for (t, s) in zip(target, source) { t.assign(s) }
    }

    /// The decay used by the next update.
    public var nextDecay: Double { Self.decay * (1 - exp(-Double(updates + 1) / Self.rampUpdates)) }

    /// ema ← d·ema + (1 − d)·model, after an optimizer step.
    public func update() {
        let d = Float(nextDecay)
        updates += 1
        for (t, s) in zip(target, source) {
            let (e, m) = (t.data, UnsafePointer(s.data))
            parallelFor(t.count) { range in
                for i in range { e[i] = d * e[i] + (1 - d) * m[i] }
            }
        }
    }
}
