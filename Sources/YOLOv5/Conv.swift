import NeuralCore

extension Activation {
    /// The element-wise function of this activation.
    var function: ActivationFunction {
        switch self {
        case .silu: return .silu
        case .hardswish: return .hardswish
        case .leakyReLU(let slope): return .leakyReLU(Float(slope))
        }
    }
}

/// YOLOv5 `Conv` (models/common.py): Conv2d without bias → BatchNorm2d → activation, with
/// "same" padding k/2 unless given. Arguments mirror `Conv(c1, c2, k, s, p)`. The activation
/// runs inside the BatchNorm's pass; it has no parameters, so names are unchanged.
public final class Conv: Layer {
    public let conv: Conv2d
    public let bn: BatchNorm2d
    /// The convolution with the BatchNorm folded in, when `foldBatchNorm()` asked for it.
    private var folded: FoldedConvolution?

    /// `Conv(c1, c2, k, s, p)`; p defaults to k/2 (`autopad`).
    init<R: RandomNumberGenerator>(_ c1: Int, _ c2: Int, k: Int = 1, s: Int = 1, p: Int? = nil,
                                   activation: Activation, using rng: inout R) {
        conv = Conv2d(inChannels: c1, outChannels: c2, kernelSize: k, stride: s, padding: p ?? k / 2,
                      bias: false, using: &rng)
        bn = BatchNorm2d(channels: c2, activation: activation.function)
    }

    public var children: [(String, any Module)] { [("conv", conv), ("bn", bn)] }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor { forward(x, mode, adding: nil) }

    /// The block's output plus `residual`, added in the BatchNorm's pass (a Bottleneck shortcut).
    func forward(_ x: Tensor, _ mode: ForwardMode, adding residual: Tensor?) -> Tensor {
        if let folded { return folded.forward(x, mode, adding: residual) }
        return bn.forward(conv.forward(x, mode), mode, adding: residual)
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        if let folded { return folded.backward(dy, needsInputGradient: needsInputGradient) }
        let dc = bn.backward(dy, needsInputGradient: true)!  // reverse order of forward
        return conv.backward(dc, needsInputGradient: needsInputGradient)
    }

    /// The block applied to the channel concatenation of `parts` (a 1×1 block), which is never
    /// built: the convolution reads each part where it lies (`Conv2d.forward(concatenating:)`).
    func forward(concatenating parts: [Tensor], _ mode: ForwardMode) -> Tensor {
        if let folded { return folded.forward(concatenating: parts, mode) }
        return bn.forward(conv.forward(concatenating: parts, mode), mode)
    }

    /// dL/d(part) for the parts of a `forward(concatenating:)` that ask for it.
    func backward(concatenated dy: Tensor, needsPartGradients: [Bool]) -> [Tensor?] {
        if let folded { return folded.backward(concatenated: dy, needsPartGradients: needsPartGradients) }
        let dc = bn.backward(dy, needsInputGradient: true)!
        return conv.backward(concatenated: dc, needsPartGradients: needsPartGradients)
    }

    /// dL/d(part) for every one of `parts` parts of a `forward(concatenating:)`.
    func backward(concatenated dy: Tensor, parts: Int) -> [Tensor] {
        backward(concatenated: dy, needsPartGradients: [Bool](repeating: true, count: parts)).map { $0! }
    }

    /// Whether the forward pass runs as one convolution with the BatchNorm folded in.
    public var isBatchNormFolded: Bool { folded != nil }

    /// Folds the BatchNorm into the convolution (`FoldedConvolution`): forward is then one
    /// convolution with bias and the activation, with the running statistics (never updated)
    /// and γ, β fixed, like Detectron2's FrozenBatchNorm2d. Nothing of the block may train.
    public func foldBatchNorm() {
        precondition(!conv.weight.isTrainable && !bn.weight.isTrainable && !bn.bias.isTrainable,
                     "Conv.foldBatchNorm: the block has trainable parameters")
        folded = FoldedConvolution(conv, bn)
    }

    /// Runs the convolution and the BatchNorm separately again.
    public func unfoldBatchNorm() { folded = nil }
}

/// `nn.Sequential`: children named "0", "1", … run in order.
public final class Sequential: Layer {
    let layers: [any Layer]

    init(_ layers: [any Layer]) { self.layers = layers }

    public var children: [(String, any Module)] { layers.enumerated().map { ("\($0.offset)", $0.element) } }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        layers.reduce(x) { $1.forward($0, mode) }
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        var gradient: Tensor? = dy
        for (index, layer) in layers.enumerated().reversed() {
            gradient = layer.backward(gradient!, needsInputGradient: index > 0 || needsInputGradient)
        }
        return gradient
    }
}

/// a + b where either may be absent (gradients of a layer's several paths).
func sum(_ a: Tensor?, _ b: Tensor?) -> Tensor? {
    guard let a else { return b }
    guard let b else { return a }
    a.add(b)
    return a
}
