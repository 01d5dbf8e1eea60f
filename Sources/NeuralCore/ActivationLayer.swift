/// An element-wise activation as a layer; `SiLU`, `Hardswish` and `LeakyReLU` are its kinds.
/// Inside YOLOv5's Conv blocks the activation runs fused into `BatchNorm2d` instead.
public class ActivationLayer: Layer {
    public let function: ActivationFunction
    private var input: Tensor?  // x, kept only when a backward will run

    init(_ function: ActivationFunction) { self.function = function }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        input = mode.recordsForBackward ? x : nil
        let y = Tensor(uninitializedShape: x.shape)
        let (src, dst, act) = (UnsafePointer(x.data), y.data, function)
        parallelFor(x.count) { range in
            applyAffine(src + range.lowerBound, dst + range.lowerBound, range.count, 1, 0, act)
        }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let x = input else { preconditionFailure("\(type(of: self)).backward without a recorded forward") }
        defer { input = nil }  // free the activation as soon as it has been used
        guard needsInputGradient else { return nil }
        x.requireSameShape(dy, "\(type(of: self)).backward")
        let dx = Tensor(uninitializedShape: x.shape)
        let act = function
        parallelFor(x.count) { range in
            let o = range.lowerBound
            preActivationGradient(dy.data + o, x.data + o, dx.data + o, range.count, 1, 0, act)
        }
        return dx
    }
}

/// x · σ(x), YOLOv5's default activation from v4.0 on (models/common.py `Conv.default_act`).
public final class SiLU: ActivationLayer {
    public init() { super.init(.silu) }
}

/// x · relu6(x + 3) / 6, the activation of YOLOv5's v3.x Conv blocks (`nn.Hardswish`).
public final class Hardswish: ActivationLayer {
    public init() { super.init(.hardswish) }
}

/// max(x, 0) + slope · min(x, 0); YOLOv5's v3.x–v5.0 BottleneckCSP uses slope 0.1
/// (`nn.LeakyReLU(0.1)` in models/common.py).
public final class LeakyReLU: ActivationLayer {
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.1) {
        self.negativeSlope = negativeSlope
        super.init(.leakyReLU(negativeSlope))
    }
}
