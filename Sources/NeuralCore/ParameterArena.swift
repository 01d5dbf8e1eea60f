/// Parameters moved into one contiguous buffer, in an order the caller chooses, so that an
/// optimizer or a moving average is one vectorised pass over memory (llm.c's `gpt2_update`
/// walks one `params_memory` the same way).
///
/// Each parameter's `value` becomes a view of `values` at its offset, holding the same
/// elements; layers read `value` on every call, so they follow. The views keep the buffer alive.
public final class ParameterArena {
    /// The parameters, in arena order.
    public let parameters: [Parameter]
    /// Element offset of each parameter in `values`.
    public let offsets: [Int]
    /// Every parameter's elements, one after the other: [Σ counts].
    public let values: Tensor
    private let views: [Tensor]

    /// Copies each parameter's elements into one buffer and makes its `value` a view of it.
    public init(_ parameters: [Parameter]) {
        self.parameters = parameters
        var offsets: [Int] = []
        var total = 0
        for p in parameters {
            offsets.append(total)
            total += p.count
        }
        self.offsets = offsets
        let values = Tensor(uninitializedShape: [total])
        self.values = values
        views = zip(parameters, offsets).map { p, offset in
            let view = Tensor(viewing: values, offset: offset, shape: p.value.shape)
            view.assign(p.value)
            return view
        }
        for (p, view) in zip(parameters, views) { p.value = view }
    }

    /// Total number of elements.
    public var count: Int { values.count }

    /// Whether every parameter still reads its values from this arena (no later arena took it).
    public var holdsEveryParameter: Bool { zip(parameters, views).allSatisfy { $0.value === $1 } }

    /// Elements `range` of `values` as a one-dimensional view.
    public func values(_ range: Range<Int>) -> Tensor { Tensor(viewing: values, offset: range.lowerBound, shape: [range.count]) }
}

/// The gradients of trainable parameters in one contiguous buffer: each parameter's `grad`
/// becomes a view of `gradients` (a gradient it already had is copied over, a missing one starts
/// at zero). Frozen parameters have no place here: they cost no gradient memory.
public final class GradientArena {
    /// The parameters, in arena order (all trainable).
    public let parameters: [Parameter]
    /// Element offset of each parameter in `gradients`.
    public let offsets: [Int]
    /// [Σ counts].
    public let gradients: Tensor
    private let views: [Tensor]

    /// Moves the gradients of `parameters` (every one trainable) into one buffer.
    public init(_ parameters: [Parameter]) {
        precondition(parameters.allSatisfy(\.isTrainable), "GradientArena: a frozen parameter has no gradient")
        self.parameters = parameters
        var offsets: [Int] = []
        var total = 0
        for p in parameters {
            offsets.append(total)
            total += p.count
        }
        self.offsets = offsets
        let gradients = Tensor(shape: [total])
        self.gradients = gradients
        views = zip(parameters, offsets).map { p, offset in
            let view = Tensor(viewing: gradients, offset: offset, shape: p.value.shape)
            if let existing = p.grad { view.assign(existing) }
            return view
        }
        for (p, view) in zip(parameters, views) { p.grad = view }
    }

    /// Total number of elements.
    public var count: Int { gradients.count }

    /// Whether every parameter still adds into this arena (none was frozen or re-homed since).
    public var holdsEveryGradient: Bool { zip(parameters, views).allSatisfy { $0.isTrainable && $0.grad === $1 } }

    /// Elements `range` of `gradients` as a one-dimensional view.
    public func gradients(_ range: Range<Int>) -> Tensor {
        Tensor(viewing: gradients, offset: range.lowerBound, shape: [range.count])
    }
}
