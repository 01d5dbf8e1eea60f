import NeuralCore

/// One of YOLOv5's three optimizer parameter groups (v7 `smart_optimizer` order).
public enum ParameterGroup: Int, CaseIterable, Sendable {
    /// Every `bias` (BN β and the Detect biases): no decay; warm-up starts at warmup_bias_lr.
    case biases = 0
    /// All other weights (convolutions, Detect, bare CSP convolutions): with decay.
    case weights = 1
    /// BatchNorm γ: no decay.
    case batchNormWeights = 2

    /// The group a named parameter belongs to (`bias`; `weight` of a BatchNorm; the rest).
    public static func of(_ name: String, isBatchNorm: Bool) -> ParameterGroup {
        if name.hasSuffix(".bias") { return .biases }
        return isBatchNorm ? .batchNormWeights : .weights
    }
}

/// SGD with Nesterov momentum over YOLOv5's three parameter groups, as `torch.optim.SGD(...,
/// nesterov=True)`: d = g + wd·θ; buf = d on the first step, else μ·buf + d; θ −= lr·(d + μ·buf).
/// A parameter without a gradient (frozen) is skipped: no update, no momentum, no decay.
public final class SGD {
    public struct Member {
        public let name: String
        public let parameter: Parameter
        public let group: ParameterGroup
    }

    public let members: [Member]
    /// Per group: learning rate, momentum and weight decay (index = `ParameterGroup.rawValue`).
    public var learningRates: [Double]
    public var momenta: [Double]
    public let weightDecays: [Double]
    /// Momentum buffers by member index, allocated on a parameter's first step.
    public private(set) var buffers: [Tensor?]

    /// Groups every named parameter; `batchNormWeights` names the BN γ tensors.
    public init(parameters: [(String, Parameter)], batchNormWeights: Set<String>, learningRate: Double,
                momentum: Double, weightDecay: Double) {
        members = parameters.map { Member(name: $0.0, parameter: $0.1, group: .of($0.0, isBatchNorm: batchNormWeights.contains($0.0))) }
        learningRates = [Double](repeating: learningRate, count: 3)
        momenta = [Double](repeating: momentum, count: 3)
        weightDecays = ParameterGroup.allCases.map { $0 == .weights ? weightDecay : 0 }
        buffers = [Tensor?](repeating: nil, count: members.count)
    }

    /// Members per group.
    public func count(_ group: ParameterGroup) -> Int { members.filter { $0.group == group }.count }

    /// One optimizer step over every parameter that has a gradient.
    public func step() {
        for (index, member) in members.enumerated() {
            guard member.parameter.isTrainable, let grad = member.parameter.grad else { continue }
            let g = member.group.rawValue
            let (lr, mu, wd) = (Float(learningRates[g]), Float(momenta[g]), Float(weightDecays[g]))
            let theta = member.parameter.value.data, d = grad.data
            let count = member.parameter.count
            if let buffer = buffers[index] {
                let b = buffer.data
                parallelFor(count) { range in
                    for i in range {
                        let step = d[i] + wd * theta[i]
                        b[i] = mu * b[i] + step
                        theta[i] -= lr * (step + mu * b[i])
                    }
                }
            } else {
                let buffer = Tensor(uninitializedShape: member.parameter.value.shape)
                let b = buffer.data
                parallelFor(count) { range in
                    for i in range {
                        let step = d[i] + wd * theta[i]
                        b[i] = step
                        theta[i] -= lr * (step + mu * b[i])
                    }
                }
                buffers[index] = buffer
            }
        }
    }

    /// Sets every gradient to zero.
    public func zeroGradients() { members.forEach { $0.parameter.zeroGradient() } }

    /// Restores momentum buffers (a resumed run), by member index.
    public func restoreBuffers(_ restored: [Int: Tensor]) {
        for (index, tensor) in restored {
            precondition(tensor.shape == members[index].parameter.value.shape, "SGD.restoreBuffers: \(members[index].name) \(tensor.shape)")
            buffers[index] = tensor
        }
    }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm`, like
/// `torch.nn.utils.clip_grad_norm_` (coefficient maxNorm / (norm + 1e-6), applied when < 1).
/// Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Double) -> Double {
    let grads = parameters.compactMap { $0.isTrainable ? $0.grad : nil }
    let norm = grads.map(\.sumOfSquares).reduce(0, +).squareRoot()
    let coefficient = maxNorm / (norm + 1e-6)
    if coefficient < 1 {
        for g in grads {
            let c = Float(coefficient)
            for i in 0..<g.count { g.data[i] *= c }
        }
    }
    return norm
}
