import Foundation

/// Batch normalisation over the channels of an NCHW tensor, like `torch.nn.BatchNorm2d`,
/// optionally followed by an activation in the same pass (YOLOv5's Conv block: BN then SiLU).
///
/// In training mode it normalises with the batch's mean and biased variance and moves the
/// running statistics towards the batch's mean and unbiased variance by `momentum`; otherwise
/// (eval mode, or `keepsStatisticsFixed`) it normalises with the running statistics and leaves
/// them alone. YOLOv5 sets eps 1e-3 and momentum 0.03 on every BatchNorm2d
/// (utils/torch_utils.py `initialize_weights`).
///
/// With an activation fused, backward recomputes the pre-activation from the saved input
/// rather than keeping it: one saved tensor per Conv block instead of two.
public final class BatchNorm2d: Layer {
    /// YOLOv5's `m.eps = 1e-3` (`initialize_weights`).
    public static let yoloEpsilon: Float = 1e-3
    /// YOLOv5's `m.momentum = 0.03` (`initialize_weights`).
    public static let yoloMomentum: Float = 0.03

    public let channels: Int
    public let epsilon: Float
    /// Weight of the batch statistics in the running ones (PyTorch `momentum`).
    public var momentum: Float
    /// γ [C], initialised to 1.
    public let weight: Parameter
    /// β [C], initialised to 0.
    public let bias: Parameter
    /// [C], initialised to 0.
    public let runningMean: Tensor
    /// [C], initialised to 1.
    public let runningVariance: Tensor
    /// Applied to the normalised output in the same pass (`.identity`: plain BatchNorm2d).
    public let activation: ActivationFunction
    /// Normalise with the running statistics and never update them, even in training mode,
    /// while γ and β still train (FreezeStudy's `bn: frozen` for frozen layers).
    public var keepsStatisticsFixed = false

    private struct Saved {
        let input: Tensor
        let mean: [Float]
        let inverseStd: [Float]
        /// Batch statistics (their gradient flows into dx) or running ones (constants).
        let usedBatchStatistics: Bool
    }
    private var saved: Saved?  // kept only when a backward will run

    /// A BatchNorm2d over `channels` with γ = 1, β = 0, mean 0, variance 1, then `activation`.
    public init(channels: Int, epsilon: Float = BatchNorm2d.yoloEpsilon, momentum: Float = BatchNorm2d.yoloMomentum,
                activation: ActivationFunction = .identity) {
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        self.activation = activation
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor(shape: [channels], repeating: 0))
        runningMean = Tensor(shape: [channels], repeating: 0)
        runningVariance = Tensor(shape: [channels], repeating: 1)
    }

    public var ownParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
    public var ownBuffers: [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVariance)] }

    /// Whether a forward in `mode` normalises with batch statistics.
    public func usesBatchStatistics(_ mode: ForwardMode) -> Bool { mode.training && !keepsStatisticsFixed }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor { forward(x, mode, adding: nil) }

    /// act(BN(x)) + residual (same shape as x), the residual added in the same pass: a
    /// Bottleneck's shortcut. dL/d(residual) is the incoming dL/dy itself; backward is unchanged.
    public func forward(_ x: Tensor, _ mode: ForwardMode, adding residual: Tensor?) -> Tensor {
        x.requireNCHW("BatchNorm2d.forward")
        if let residual { x.requireSameShape(residual, "BatchNorm2d.forward(adding:)") }
        precondition(x.c == channels, "BatchNorm2d.forward: input \(x.shape) for \(channels) channels")
        let batchMode = usesBatchStatistics(mode)
        let (mean, inverseStd) = batchMode ? batchStatistics(x) : runningStatistics()
        saved = mode.recordsForBackward
            ? Saved(input: x, mean: mean, inverseStd: inverseStd, usedBatchStatistics: batchMode) : nil
        let y = Tensor(uninitializedShape: x.shape)
        let pixels = x.h * x.w
        let (gamma, beta, act) = (weight.value.data, bias.value.data, activation)
        parallelFor(x.n * channels, costPerItem: pixels) { rows in
            for row in rows {
                let c = row % channels
                let scale = gamma[c] * inverseStd[c]
                let shift = beta[c] - mean[c] * scale
                let o = row * pixels
                if let residual {
                    applyAffine(x.data + o, y.data + o, pixels, scale, shift, act, adding: residual.data + o)
                } else {
                    applyAffine(x.data + o, y.data + o, pixels, scale, shift, act)
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor? {
        guard let s = saved else { preconditionFailure("BatchNorm2d.backward without a recorded forward") }
        defer { saved = nil }
        let x = s.input
        x.requireSameShape(dy, "BatchNorm2d.backward")
        let (n, pixels) = (x.n, x.h * x.w)
        let count = Float(n * pixels)
        let (gamma, beta, act) = (weight.value.data, bias.value.data, activation)
        // dz = dy·act'(z) with z = x·scale + shift recomputed (the identity uses dy itself);
        // per channel Σdz and Σdz·(x − μ). dz's buffer then becomes dx.
        let dz = act == .identity ? nil : Tensor(uninitializedShape: x.shape)
        var sumDz = [Float](repeating: 0, count: channels)
        var sumDzXhat = [Float](repeating: 0, count: channels)
        sumDz.withUnsafeMutableBufferPointer { sumDz in
            sumDzXhat.withUnsafeMutableBufferPointer { sumDzXhat in
                parallelFor(channels, costPerItem: n * pixels) { range in
                    for c in range {
                        let scale = gamma[c] * s.inverseStd[c]
                        let shift = beta[c] - s.mean[c] * scale
                        var a = 0.0, b = 0.0
                        for image in 0..<n {
                            let offset = (image * channels + c) * pixels
                            let (g, v) = (UnsafePointer(dy.data + offset), UnsafePointer(x.data + offset))
                            let sums: (Float, Float)
                            if let dz, act == .silu {
                                sums = siluGradientSums(g, v, dz.data + offset, pixels, scale, shift, s.mean[c])  // one pass
                            } else if let dz {
                                preActivationGradient(g, v, dz.data + offset, pixels, scale, shift, act)
                                sums = rowGradientSums(UnsafePointer(dz.data + offset), v, pixels, s.mean[c])
                            } else {
                                sums = rowGradientSums(g, v, pixels, s.mean[c])
                            }
                            a += Double(sums.0); b += Double(sums.1)
                        }
                        sumDz[c] = Float(a)
                        sumDzXhat[c] = Float(b) * s.inverseStd[c]
                    }
                }
            }
        }
        if weight.isTrainable {
            let dGamma = weight.gradientForAccumulation().data
            for c in 0..<channels { dGamma[c] += sumDzXhat[c] }
        }
        if bias.isTrainable {
            let dBeta = bias.gradientForAccumulation().data
            for c in 0..<channels { dBeta[c] += sumDz[c] }
        }
        guard needsInputGradient else { return nil }
        let dx = dz ?? Tensor(uninitializedShape: x.shape)
        let source = dz ?? dy  // dz, or dy for a plain BatchNorm
        let batchMode = s.usedBatchStatistics
        parallelFor(n * channels, costPerItem: pixels) { rows in
            for row in rows {
                let c = row % channels
                let k = gamma[c] * s.inverseStd[c]
                let (d, v, g) = (dx.data + row * pixels, UnsafePointer(x.data + row * pixels), UnsafePointer(source.data + row * pixels))
                if batchMode {
                    // dx = γ·σ⁻¹·(dz − Σdz/M − x̂·Σ(dz·x̂)/M)
                    let meanDz = sumDz[c] / count
                    let slope = sumDzXhat[c] / count * s.inverseStd[c]
                    let mu = s.mean[c]
                    for i in 0..<pixels { d[i] = k * (g[i] - meanDz - (v[i] - mu) * slope) }
                } else {
                    for i in 0..<pixels { d[i] = k * g[i] }
                }
            }
        }
        return dx
    }

    /// Mean and 1/√(biased var + eps) of the batch; updates the running statistics.
    private func batchStatistics(_ x: Tensor) -> ([Float], [Float]) {
        let (n, pixels) = (x.n, x.h * x.w)
        let count = Double(n * pixels)
        var mean = [Float](repeating: 0, count: channels)
        var inverseStd = [Float](repeating: 0, count: channels)
        var unbiasedVariance = [Float](repeating: 0, count: channels)
        mean.withUnsafeMutableBufferPointer { mean in
            inverseStd.withUnsafeMutableBufferPointer { inverseStd in
                unbiasedVariance.withUnsafeMutableBufferPointer { unbiased in
                    parallelFor(channels, costPerItem: 2 * n * pixels) { range in
                        for c in range {
                            var sum = 0.0
                            for image in 0..<n { sum += Double(rowSum(x.data + (image * channels + c) * pixels, pixels)) }
                            let mu = Float(sum / count)
                            var squares = 0.0
                            for image in 0..<n {
                                squares += Double(rowSquaredDeviation(x.data + (image * channels + c) * pixels, pixels, mu))
                            }
                            let variance = squares / count
                            mean[c] = mu
                            inverseStd[c] = Float(1 / (variance + Double(epsilon)).squareRoot())
                            unbiased[c] = Float(count > 1 ? squares / (count - 1) : variance)
                        }
                    }
                }
            }
        }
        let (rm, rv, m) = (runningMean.data, runningVariance.data, momentum)
        for c in 0..<channels {
            rm[c] = (1 - m) * rm[c] + m * mean[c]
            rv[c] = (1 - m) * rv[c] + m * unbiasedVariance[c]
        }
        return (mean, inverseStd)
    }

    /// The fixed normalisation as y = x·scale + shift per channel: scale = γ/√(running var + ε),
    /// shift = β − running mean·scale (what folding into a convolution multiplies and adds).
    public func fixedAffine() -> (scale: [Float], shift: [Float]) {
        let (mean, inverseStd) = runningStatistics()
        let scale = (0..<channels).map { weight.value.data[$0] * inverseStd[$0] }
        let shift = (0..<channels).map { bias.value.data[$0] - mean[$0] * scale[$0] }
        return (scale, shift)
    }

    /// Running mean and 1/√(running var + eps).
    private func runningStatistics() -> ([Float], [Float]) {
        let mean = Array(UnsafeBufferPointer(start: runningMean.data, count: channels))
        let inverseStd = (0..<channels).map { 1 / (runningVariance.data[$0] + epsilon).squareRoot() }
        return (mean, inverseStd)
    }
}
