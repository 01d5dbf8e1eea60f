import Foundation

/// x · σ(x), YOLOv5's default activation from v4.0 on (models/common.py `Conv.default_act`).
public final class SiLU: Layer {
    private var input: Tensor?  // x, kept only when a backward will run

    public init() {}

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        input = mode.recordsForBackward ? x : nil
        return x.map { $0 / (1 + exp(-$0)) }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let x = input else { preconditionFailure("SiLU.backward without a recorded forward") }
        defer { input = nil }  // free the activation as soon as it has been used
        guard needsInputGradient else { return nil }
        // d/dx [x·σ(x)] = σ(x) · (1 + x · (1 − σ(x)))
        return Tensor.zipMap(x, dy) { x, g in
            let s = 1 / (1 + exp(-x))
            return g * s * (1 + x * (1 - s))
        }
    }
}
