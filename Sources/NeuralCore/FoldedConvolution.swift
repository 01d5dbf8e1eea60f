/// A convolution and the BatchNorm after it, both fixed (statistics and affine: Detectron2's
/// FrozenBatchNorm2d), run as one convolution with bias: W' = W·s, b' = β − μ·s with
/// s = γ/√(running var + ε), then the BatchNorm's activation in the same pass as the bias.
///
/// The folded weights are recomputed from the two layers at every forward (a few multiplies per
/// weight), so they never go stale. Nothing here trains: backward only returns dL/dx.
public final class FoldedConvolution: Layer {
    /// The convolution and BatchNorm folded (their parameters are read, never written).
    public let convolution: Conv2d, batchNorm: BatchNorm2d
    private let folded: Conv2d
    private var saved: (convolved: Tensor, shift: [Float])?  // W'x and b', kept only when a backward will run

    /// Folds `batchNorm` (over the convolution's output channels) into `convolution`.
    public init(_ convolution: Conv2d, _ batchNorm: BatchNorm2d) {
        precondition(batchNorm.channels == convolution.outChannels,
                     "FoldedConvolution: BatchNorm of \(batchNorm.channels) channels after a convolution to \(convolution.outChannels)")
        self.convolution = convolution
        self.batchNorm = batchNorm
        folded = Conv2d(sameGeometryAs: convolution)
        folded.weight.isTrainable = false
    }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor { forward(.whole(x), mode, adding: nil) }

    /// The output plus `residual` (same shape), added in the activation's pass.
    public func forward(_ x: Tensor, _ mode: ForwardMode, adding residual: Tensor?) -> Tensor {
        forward(.whole(x), mode, adding: residual)
    }

    /// The output for a channel concatenation of `parts` (a 1×1 convolution; `Conv2d.forward(concatenating:)`).
    public func forward(concatenating parts: [Tensor], _ mode: ForwardMode) -> Tensor {
        forward(.concatenation(parts), mode, adding: nil)
    }

    /// dL/d(part) for the parts of a `forward(concatenating:)` that ask for it.
    public func backward(concatenated dy: Tensor, needsPartGradients: [Bool]) -> [Tensor?] {
        let dz = preActivationGradient(dy, needsInputGradient: needsPartGradients.contains(true))
        return folded.backward(concatenated: dz ?? dy, needsPartGradients: needsPartGradients)
    }

    private enum Input { case whole(Tensor), concatenation([Tensor]) }

    private func forward(_ input: Input, _ mode: ForwardMode, adding residual: Tensor?) -> Tensor {
        let (scale, shift) = batchNorm.fixedAffine()
        let (w, k) = (convolution.weight.value, convolution.outChannels)
        let perFilter = w.count / k
        for filter in 0..<k {
            let (source, target) = (w.data + filter * perFilter, folded.weight.value.data + filter * perFilter)
            for i in 0..<perFilter { target[i] = source[i] * scale[filter] }
        }
        folded.algorithm = convolution.algorithm
        let z: Tensor
        switch input {
        case .whole(let x): z = folded.forward(x, mode)
        case .concatenation(let parts): z = folded.forward(concatenating: parts, mode)
        }
        if let residual { z.requireSameShape(residual, "FoldedConvolution.forward(adding:)") }
        saved = mode.recordsForBackward ? (z, shift) : nil
        let y = mode.recordsForBackward ? Tensor(uninitializedShape: z.shape) : z  // in place when nothing is kept
        let (pixels, act) = (z.h * z.w, batchNorm.activation)
        parallelFor(z.n * k, costPerItem: pixels) { rows in
            for row in rows {
                let o = row * pixels
                if let residual {
                    applyAffine(z.data + o, y.data + o, pixels, 1, shift[row % k], act, adding: residual.data + o)
                } else {
                    applyAffine(z.data + o, y.data + o, pixels, 1, shift[row % k], act)
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        let dz = preActivationGradient(dy, needsInputGradient: needsInputGradient)
        return folded.backward(dz ?? dy, needsInputGradient: needsInputGradient)
    }

    /// dL/d(W'x) = dy·act'(W'x + b'), or nil (and the recorded state dropped) when no input
    /// gradient is wanted: nothing here trains.
    private func preActivationGradient(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let (z, shift) = saved else { preconditionFailure("FoldedConvolution.backward without a recorded forward") }
        saved = nil
        guard needsInputGradient else { return nil }
        z.requireSameShape(dy, "FoldedConvolution.backward")
        let dz = Tensor(uninitializedShape: z.shape)
        let (pixels, k, act) = (z.h * z.w, z.c, batchNorm.activation)
        parallelFor(z.n * k, costPerItem: pixels) { rows in
            for row in rows {
                let o = row * pixels
                NeuralCore.preActivationGradient(dy.data + o, z.data + o, dz.data + o, pixels, 1, shift[row % k], act)
            }
        }
        return dz
    }
}
