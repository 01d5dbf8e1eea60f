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
/// A frozen parameter is skipped: no gradient, no update, no momentum, no decay.
///
/// Building the optimizer moves every parameter's values into one `ParameterArena`, grouped
/// (biases, weights, BN weights; model order inside a group), and the trainable ones' gradients
/// and momentum into arenas of their own in the same order, so that a step is one vectorised
/// pass per run of same-group parameters (three under a prefix freeze). If parameters are frozen
/// or unfrozen later, the next step lays the gradient and momentum arenas out again.
public final class SGD {
    public struct Member {
        public let name: String
        public let parameter: Parameter
        public let group: ParameterGroup
    }

    /// Every parameter, in the model's (`named_parameters()`) order.
    public let members: [Member]
    /// Per group: learning rate, momentum and weight decay (index = `ParameterGroup.rawValue`).
    public var learningRates: [Double]
    public var momenta: [Double]
    public let weightDecays: [Double]
    /// Per member: factors on its group's learning rate and weight decay (MMDetection's
    /// `paramwise_cfg` `lr_mult`/`decay_mult`; 1 by default). A step uses lr·mult and wd·mult.
    public private(set) var learningRateMultipliers: [Double], weightDecayMultipliers: [Double]
    /// Every member's values; the model's parameters are views of it.
    public let arena: ParameterArena
    /// Member indices in arena order.
    let arenaOrder: [Int]
    private var layout: TrainableLayout
    /// Momentum of members that were frozen after stepping (PyTorch keeps their state), by member index.
    private var retiredMomentum: [Int: Tensor] = [:]

    /// Groups every named parameter; `batchNormWeights` names the BN γ tensors.
    public init(parameters: [(String, Parameter)], batchNormWeights: Set<String>, learningRate: Double,
                momentum: Double, weightDecay: Double) {
        let members = parameters.map {
            Member(name: $0.0, parameter: $0.1, group: .of($0.0, isBatchNorm: batchNormWeights.contains($0.0)))
        }
        self.members = members
        learningRates = [Double](repeating: learningRate, count: 3)
        momenta = [Double](repeating: momentum, count: 3)
        weightDecays = ParameterGroup.allCases.map { $0 == .weights ? weightDecay : 0 }
        learningRateMultipliers = [Double](repeating: 1, count: members.count)
        weightDecayMultipliers = [Double](repeating: 1, count: members.count)
        let order = ParameterGroup.allCases.flatMap { group in members.indices.filter { members[$0].group == group } }
        arenaOrder = order
        let arena = ParameterArena(order.map { members[$0].parameter })
        self.arena = arena
        layout = TrainableLayout(members: members, arenaOrder: order, arena: arena, multipliers: nil, previous: nil)
    }

    /// Sets every member's learning-rate and weight-decay factor (by member index); the next
    /// step walks runs of equal factors.
    public func setMultipliers(learningRate: [Double], weightDecay: [Double]) {
        precondition(learningRate.count == members.count && weightDecay.count == members.count,
                     "SGD.setMultipliers: \(learningRate.count) and \(weightDecay.count) factors for \(members.count) members")
        learningRateMultipliers = learningRate
        weightDecayMultipliers = weightDecay
        refreshLayoutIfStale(force: true)
    }

    /// The learning rate member `index` steps with now: its group's rate times its factor.
    public func learningRate(ofMember index: Int) -> Double {
        learningRates[members[index].group.rawValue] * learningRateMultipliers[index]
    }

    /// The weight decay member `index` steps with: its group's decay times its factor.
    public func weightDecay(ofMember index: Int) -> Double {
        weightDecays[members[index].group.rawValue] * weightDecayMultipliers[index]
    }

    /// Members per group.
    public func count(_ group: ParameterGroup) -> Int { members.filter { $0.group == group }.count }

    /// Whether member `index` has momentum (it has taken a step while trainable).
    public func hasMomentum(_ index: Int) -> Bool { layout.hasMomentum(index) || retiredMomentum[index] != nil }

    /// Momentum buffers by member index (nil for a member that never stepped), as PyTorch's
    /// `optimizer.state[p]['momentum_buffer']`. Views of the optimizer's state: copy to keep.
    public var buffers: [Tensor?] {
        members.indices.map { layout.momentumBuffer(member: $0) ?? retiredMomentum[$0] }
    }

    /// One optimizer step over every trainable parameter.
    public func step() {
        refreshLayoutIfStale()
        layout.step(learningRates: learningRates, momenta: momenta, weightDecays: weightDecays)
    }

    /// The trainable parameters' gradients, one contiguous buffer in arena order (frozen
    /// parameters have no place in it): what a data-parallel all-reduce sends.
    public var trainableGradients: Tensor {
        refreshLayoutIfStale()
        return layout.gradients.gradients
    }

    /// Sets every gradient to zero (`optimizer.zero_grad()`; PyTorch frees them, the sum is the same).
    public func zeroGradients() {
        refreshLayoutIfStale()
        layout.gradients.gradients.fill(0)
    }

    /// Scales the trainable parameters' gradients so that their global L2 norm is at most
    /// `maxNorm`, like `torch.nn.utils.clip_grad_norm_` (coefficient maxNorm / (norm + 1e-6),
    /// applied when below 1). Returns the norm before clipping.
    @discardableResult
    public func clipGradientNorm(maxNorm: Double) -> Double {
        refreshLayoutIfStale()
        let norm = squaredL2Norm(layout.gradients.gradients).squareRoot()
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 { scale(layout.gradients.gradients, by: Float(coefficient)) }
        return norm
    }

    /// Restores momentum buffers (a resumed run), by member index; each must match its parameter's shape.
    public func restoreBuffers(_ restored: [Int: Tensor]) {
        refreshLayoutIfStale()
        for (index, tensor) in restored {
            precondition(tensor.shape == members[index].parameter.value.shape, "SGD.restoreBuffers: \(members[index].name) \(tensor.shape)")
            if members[index].parameter.isTrainable {
                layout.restoreMomentum(member: index, tensor)
            } else {
                retiredMomentum[index] = tensor.copy()
            }
        }
    }

    /// Lays the gradient and momentum arenas out again when parameters were frozen or unfrozen
    /// (or a gradient was replaced) since the last layout.
    private func refreshLayoutIfStale(force: Bool = false) {
        let trainable = members.indices.filter { members[$0].parameter.isTrainable }
        guard force || trainable != layout.trainableMembers || !layout.gradients.holdsEveryGradient else { return }
        for index in layout.trainableMembers where !members[index].parameter.isTrainable {
            if let buffer = layout.momentumBuffer(member: index) { retiredMomentum[index] = buffer.copy() }
        }
        let previous = layout
        layout = TrainableLayout(members: members, arenaOrder: arenaOrder, arena: arena,
                                 multipliers: (learningRateMultipliers, weightDecayMultipliers), previous: previous)
        for index in trainable {
            if let buffer = retiredMomentum.removeValue(forKey: index) { layout.restoreMomentum(member: index, buffer) }
        }
    }
}

/// The trainable members' gradients and momentum, in arena order, and the runs a step walks:
/// consecutive members of one group whose values, gradients and momentum are contiguous and
/// that all have (or all lack) momentum.
private struct TrainableLayout {
    struct Run {
        let group: ParameterGroup
        /// Elements of the value arena and of the gradient (and momentum) arena.
        let values: Range<Int>, gradients: Range<Int>
        let hasMomentum: Bool
        /// The members' learning-rate and weight-decay factors (equal within a run).
        let learningRateMultiplier: Double, weightDecayMultiplier: Double

        func joins(_ next: Run) -> Bool {
            group == next.group && hasMomentum == next.hasMomentum && learningRateMultiplier == next.learningRateMultiplier
                && weightDecayMultiplier == next.weightDecayMultiplier
                && values.upperBound == next.values.lowerBound && gradients.upperBound == next.gradients.lowerBound
        }
    }

    /// Trainable member indices in model order.
    let trainableMembers: [Int]
    let gradients: GradientArena
    /// [gradients.count], allocated on the first step (PyTorch creates momentum buffers then).
    private(set) var momentum: Tensor?
    /// Per member index: its element ranges in the value and gradient arenas.
    private var valueRange: [Int: Range<Int>] = [:], gradientRange: [Int: Range<Int>] = [:]
    private var momentumInitialised: Set<Int> = []
    /// Trainable members in arena order.
    private let order: [Int]
    private let groups: [ParameterGroup]
    private let shapes: [[Int]]
    private let learningRateMultipliers: [Double], weightDecayMultipliers: [Double]
    private let arena: ParameterArena
    private var runs: [Run] = []

    init(members: [SGD.Member], arenaOrder: [Int], arena: ParameterArena, multipliers: ([Double], [Double])?,
         previous: TrainableLayout?) {
        self.arena = arena
        let ones = [Double](repeating: 1, count: members.count)
        learningRateMultipliers = multipliers?.0 ?? ones
        weightDecayMultipliers = multipliers?.1 ?? ones
        groups = members.map(\.group)
        shapes = members.map(\.parameter.value.shape)
        trainableMembers = members.indices.filter { members[$0].parameter.isTrainable }
        order = arenaOrder.filter { members[$0].parameter.isTrainable }
        for (position, index) in arenaOrder.enumerated() {
            valueRange[index] = arena.offsets[position]..<(arena.offsets[position] + members[index].parameter.count)
        }
        gradients = GradientArena(order.map { members[$0].parameter })
        for (position, index) in order.enumerated() {
            gradientRange[index] = gradients.offsets[position]..<(gradients.offsets[position] + members[index].parameter.count)
        }
        if let previous {
            for index in order where previous.momentumInitialised.contains(index) {
                restoreMomentum(member: index, previous.momentumBuffer(member: index)!)
            }
        }
        runs = makeRuns()
    }

    func hasMomentum(_ member: Int) -> Bool { momentumInitialised.contains(member) }

    /// Member `member`'s momentum as a view, or nil before its first step.
    func momentumBuffer(member: Int) -> Tensor? {
        guard momentumInitialised.contains(member), let momentum, let range = gradientRange[member] else { return nil }
        return Tensor(viewing: momentum, offset: range.lowerBound, shape: shapes[member])
    }

    mutating func restoreMomentum(member: Int, _ tensor: Tensor) {
        guard let range = gradientRange[member] else { preconditionFailure("restoreMomentum: member \(member) is not trainable") }
        let buffer = momentum ?? Tensor(shape: [gradients.count])
        momentum = buffer
        Tensor(viewing: buffer, offset: range.lowerBound, shape: tensor.shape).assign(tensor)
        momentumInitialised.insert(member)
        runs = makeRuns()
    }

    mutating func step(learningRates: [Double], momenta: [Double], weightDecays: [Double]) {
        let buffer = momentum ?? Tensor(uninitializedShape: [gradients.count])
        momentum = buffer
        for run in runs {
            let g = run.group.rawValue
            sgdNesterovStep(values: arena.values(run.values), gradients: gradients.gradients(run.gradients),
                            momentumBuffer: Tensor(viewing: buffer, offset: run.gradients.lowerBound, shape: [run.gradients.count]),
                            learningRate: Float(learningRates[g] * run.learningRateMultiplier), momentum: Float(momenta[g]),
                            weightDecay: Float(weightDecays[g] * run.weightDecayMultiplier),
                            isFirstStep: !run.hasMomentum)
        }
        if momentumInitialised.count < order.count {
            momentumInitialised.formUnion(order)
            runs = makeRuns()
        }
    }

    private func makeRuns() -> [Run] {
        var result: [Run] = []
        for index in order {
            let (values, grads) = (valueRange[index]!, gradientRange[index]!)
            let run = Run(group: groups[index], values: values, gradients: grads, hasMomentum: momentumInitialised.contains(index),
                          learningRateMultiplier: learningRateMultipliers[index], weightDecayMultiplier: weightDecayMultipliers[index])
            if let last = result.last, last.joins(run) {
                result[result.count - 1] = Run(group: last.group, values: last.values.lowerBound..<values.upperBound,
                                               gradients: last.gradients.lowerBound..<grads.upperBound, hasMomentum: last.hasMomentum,
                                               learningRateMultiplier: last.learningRateMultiplier,
                                               weightDecayMultiplier: last.weightDecayMultiplier)
            } else {
                result.append(run)
            }
        }
        return result
    }
}
