/// x · relu6(x + 3) / 6, the activation of YOLOv5's v3.x Conv blocks (`nn.Hardswish`).
public final class Hardswish: Layer {
    private var input: Tensor?  // x, kept only when a backward will run

    public init() {}

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        input = mode.recordsForBackward ? x : nil
        return x.map { $0 * min(max($0 + 3, 0), 6) / 6 }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let x = input else { preconditionFailure("Hardswish.backward without a recorded forward") }
        defer { input = nil }
        guard needsInputGradient else { return nil }
        // PyTorch's hardswish_backward: 0 below −3, x/3 + 1/2 on [−3, 3], 1 above.
        return Tensor.zipMap(x, dy) { x, g in
            x < -3 ? 0 : (x <= 3 ? g * (x / 3 + 0.5) : g)
        }
    }
}
