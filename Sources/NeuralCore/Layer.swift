/// How a forward pass will be used.
public struct ForwardMode: Sendable, Equatable {
    /// BatchNorm uses batch statistics and updates running ones (PyTorch `model.train()`).
    public var training: Bool
    /// Keep what `backward` reads. Independent of `training`: a frozen backbone under
    /// `bn: update` updates BN statistics yet records nothing.
    public var recordsForBackward: Bool

    /// A mode from its two switches.
    public init(training: Bool, recordsForBackward: Bool) {
        self.training = training
        self.recordsForBackward = recordsForBackward
    }

    /// Training with backward (`model.train()` and autograd on).
    public static let train = ForwardMode(training: true, recordsForBackward: true)
    /// Inference (`model.eval()` under `torch.no_grad()`).
    public static let inference = ForwardMode(training: false, recordsForBackward: false)
}

/// A single-input, single-output layer with `forward` and `backward` side by side.
public protocol Layer: AnyObject {
    /// Children in the order PyTorch's `__init__` registers them (C3: cv1, cv2, cv3, m).
    var children: [(String, any Layer)] { get }
    /// Parameters owned directly by this layer ("weight", "bias").
    var ownParameters: [(String, Parameter)] { get }
    /// Buffers owned directly by this layer ("running_mean", "running_var").
    var ownBuffers: [(String, Tensor)] { get }
    /// Computes the output; records what `backward` needs only if `mode.recordsForBackward`.
    func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor
    /// Adds dL/dθ into trainable parameters' `grad`; returns dL/dx when asked.
    func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor?
}

extension Layer {
    public var children: [(String, any Layer)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }
    public var ownBuffers: [(String, Tensor)] { [] }

    /// Parameters of this layer and its children, depth first in registration order, named
    /// like PyTorch's `named_parameters(prefix)`.
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        var result = ownParameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            result += child.namedParameters(prefix: prefix + name + ".")
        }
        return result
    }

    /// Buffers of this layer and its children, named like PyTorch's `named_buffers(prefix)`.
    public func namedBuffers(prefix: String = "") -> [(String, Tensor)] {
        var result = ownBuffers.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            result += child.namedBuffers(prefix: prefix + name + ".")
        }
        return result
    }

    /// This layer and all its descendants, depth first.
    public func descendants() -> [any Layer] {
        [self] + children.flatMap { $0.1.descendants() }
    }
}
