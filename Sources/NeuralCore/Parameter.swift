/// A trainable tensor with its gradient, like `torch.nn.Parameter`.
///
/// The gradient is allocated on the first backward that reaches a trainable parameter, and
/// never for a frozen one (`requires_grad=False` in PyTorch): frozen parameters cost no
/// gradient memory.
public final class Parameter {
    /// The values. A `ParameterArena` may move them into a view of its contiguous buffer (same
    /// shape and elements); layers read `value` on every call and never keep its storage.
    public internal(set) var value: Tensor
    /// dL/dθ accumulated by backward passes; nil until the first one, and always for a frozen
    /// parameter. A `GradientArena` may make it a view of its contiguous buffer.
    public internal(set) var grad: Tensor?
    /// Whether backward computes a gradient for this parameter.
    public var isTrainable: Bool = true {
        didSet { if !isTrainable { grad = nil } }
    }

    /// A parameter holding `value`.
    public init(_ value: Tensor) { self.value = value }

    /// The gradient buffer to add into, allocated (zeroed) on first use.
    public func gradientForAccumulation() -> Tensor {
        precondition(isTrainable, "Parameter: gradient requested for a frozen parameter \(value.shape)")
        if let grad { return grad }
        let fresh = Tensor(shape: value.shape)
        grad = fresh
        return fresh
    }

    /// Sets the gradient to zero (keeps the buffer).
    public func zeroGradient() { grad?.fill(0) }

    /// Number of elements.
    public var count: Int { value.count }
}
