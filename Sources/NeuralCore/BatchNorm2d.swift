import Foundation

/// Batch normalisation over the channels of an NCHW tensor, like `torch.nn.BatchNorm2d`.
///
/// In training mode it normalises with the batch's mean and biased variance and moves the
/// running statistics towards the batch's mean and unbiased variance by `momentum`; otherwise
/// (eval mode, or `keepsStatisticsFixed`) it normalises with the running statistics and leaves
/// them alone. YOLOv5 sets eps 1e-3 and momentum 0.03 on every BatchNorm2d
/// (utils/torch_utils.py `initialize_weights`).
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

    /// A BatchNorm2d over `channels` with γ = 1, β = 0, mean 0, variance 1.
    public init(channels: Int, epsilon: Float = BatchNorm2d.yoloEpsilon, momentum: Float = BatchNorm2d.yoloMomentum) {
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        weight = Parameter(Tensor(shape: [channels], repeating: 1))
        bias = Parameter(Tensor(shape: [channels], repeating: 0))
        runningMean = Tensor(shape: [channels], repeating: 0)
        runningVariance = Tensor(shape: [channels], repeating: 1)
    }

    public var ownParameters: [(String, Parameter)] { [("weight", weight), ("bias", bias)] }
    public var ownBuffers: [(String, Tensor)] { [("running_mean", runningMean), ("running_var", runningVariance)] }

    /// Whether a forward in `mode` normalises with batch statistics.
    public func usesBatchStatistics(_ mode: ForwardMode) -> Bool { mode.training && !keepsStatisticsFixed }

    public func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor {
        x.requireNCHW("BatchNorm2d.forward")
        precondition(x.c == channels, "BatchNorm2d.forward: input \(x.shape) for \(channels) channels")
        let batchMode = usesBatchStatistics(mode)
        let (mean, inverseStd) = batchMode ? batchStatistics(x) : runningStatistics()
        saved = mode.recordsForBackward
            ? Saved(input: x, mean: mean, inverseStd: inverseStd, usedBatchStatistics: batchMode) : nil
        let y = Tensor(uninitializedShape: x.shape)
        let pixels = x.h * x.w
        let (gamma, beta) = (weight.value.data, bias.value.data)
        parallelFor(x.n * channels, costPerItem: pixels) { rows in
            for row in rows {
                let c = row % channels
                let scale = gamma[c] * inverseStd[c]
                let shift = beta[c] - mean[c] * scale
                let (src, dst) = (x.data + row * pixels, y.data + row * pixels)
                for i in 0..<pixels { dst[i] = src[i] * scale + shift }
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
        // Per channel: Σ dy and Σ dy·x̂ (needed by dγ, dβ and, in batch mode, by dx).
        var sumDy = [Float](repeating: 0, count: channels)
        var sumDyXhat = [Float](repeating: 0, count: channels)
        sumDy.withUnsafeMutableBufferPointer { sumDy in
            sumDyXhat.withUnsafeMutableBufferPointer { sumDyXhat in
                parallelFor(channels, costPerItem: n * pixels) { range in
                    for c in range {
                        var a = 0.0, b = 0.0
                        for image in 0..<n {
                            let offset = (image * channels + c) * pixels
                            let (g, v) = (dy.data + offset, x.data + offset)
                            var a1: Float = 0, b1: Float = 0
                            for i in 0..<pixels {
                                a1 += g[i]
                                b1 += g[i] * (v[i] - s.mean[c])
                            }
                            a += Double(a1); b += Double(b1)
                        }
                        sumDy[c] = Float(a)
                        sumDyXhat[c] = Float(b) * s.inverseStd[c]
                    }
                }
            }
        }
        if weight.isTrainable {
            let dGamma = weight.gradientForAccumulation().data
            for c in 0..<channels { dGamma[c] += sumDyXhat[c] }
        }
        if bias.isTrainable {
            let dBeta = bias.gradientForAccumulation().data
            for c in 0..<channels { dBeta[c] += sumDy[c] }
        }
        guard needsInputGradient else { return nil }
        let dx = Tensor(uninitializedShape: x.shape)
        let gamma = weight.value.data
        let batchMode = s.usedBatchStatistics
        parallelFor(n * channels, costPerItem: pixels) { rows in
            for row in rows {
                let c = row % channels
                let k = gamma[c] * s.inverseStd[c]
                let (g, v, d) = (dy.data + row * pixels, x.data + row * pixels, dx.data + row * pixels)
                if batchMode {
                    // dx = γ·σ⁻¹·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)
                    let meanDy = sumDy[c] / count
                    let meanDyXhat = sumDyXhat[c] / count
                    let (mu, istd) = (s.mean[c], s.inverseStd[c])
                    for i in 0..<pixels { d[i] = k * (g[i] - meanDy - (v[i] - mu) * istd * meanDyXhat) }
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
                            for image in 0..<n {
                                let p = x.data + (image * channels + c) * pixels
                                var s: Float = 0
                                for i in 0..<pixels { s += p[i] }
                                sum += Double(s)
                            }
                            let mu = sum / count
                            var squares = 0.0
                            let muF = Float(mu)
                            for image in 0..<n {
                                let p = x.data + (image * channels + c) * pixels
                                var s: Float = 0
                                for i in 0..<pixels { let d = p[i] - muF; s += d * d }
                                squares += Double(s)
                            }
                            let variance = squares / count
                            mean[c] = muF
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

    /// Running mean and 1/√(running var + eps).
    private func runningStatistics() -> ([Float], [Float]) {
        let mean = Array(UnsafeBufferPointer(start: runningMean.data, count: channels))
        let inverseStd = (0..<channels).map { 1 / (runningVariance.data[$0] + epsilon).squareRoot() }
        return (mean, inverseStd)
    }
}
