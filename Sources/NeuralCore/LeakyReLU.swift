/// max(x, 0) + slope · min(x, 0); YOLOv5's v3.x–v5.0 BottleneckCSP uses slope 0.1
/// (`nn.LeakyReLU(0.1)` in models/common.py).
public final class LeakyReLU: Layer {
    /// The slope for negative inputs.
    public let negativeSlope: Float
    private var input: Tensor?  // x, kept only when a backward will run

    /// A LeakyReLU with the given negative slope.
    public init(negativeSlope: Float = 0.1) { self.negativeSlope = negativeSlope }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        input = mode.recordsForBackward ? x : nil
        let slope = negativeSlope
        return x.map { $0 > 0 ? $0 : $0 * slope }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let x = input else { preconditionFailure("LeakyReLU.backward without a recorded forward") }
        defer { input = nil }
        guard needsInputGradient else { return nil }
        let slope = negativeSlope
        return Tensor.zipMap(x, dy) { x, g in x > 0 ? g : g * slope }
    }
}
