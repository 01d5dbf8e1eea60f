import NeuralCore

/// YOLOv5 `Bottleneck(c1, c2, shortcut, g=1, e)`: Conv 1×1 c1→c_ (`cv1`), Conv 3×3 c_→c2
/// (`cv2`), plus the input when `shortcut` and c1 == c2. c_ = int(c2·e).
public final class Bottleneck: Layer {
    let cv1: Conv, cv2: Conv
    /// Whether the input is added to the output (YOLOv5's `self.add`).
    public let adds: Bool

    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, shortcut: Bool, e: Double,
                                   activation: Activation, using rng: inout R) {
        let hidden = Int(Double(c2) * e)
        cv1 = Conv(c1, hidden, k: 1, s: 1, activation: activation, using: &rng)
        cv2 = Conv(hidden, c2, k: 3, s: 1, activation: activation, using: &rng)
        adds = shortcut && c1 == c2
    }

    public var children: [(String, any Module)] { [("cv1", cv1), ("cv2", cv2)] }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        cv2.forward(cv1.forward(x, mode), mode, adding: adds ? x : nil)  // the shortcut joins in cv2's BN pass
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let dHidden = cv2.backward(dy, needsInputGradient: true)!
        let dx = cv1.backward(dHidden, needsInputGradient: needsInputGradient)
        // The shortcut passes dy straight to the input.
        return adds && needsInputGradient ? sum(dx, dy) : dx
    }
}
