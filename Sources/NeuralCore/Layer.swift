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

/// A single-input, single-output module with `forward` and `backward` side by side.
public protocol Layer: Module {
    /// Computes the output; records what `backward` needs only if `mode.recordsForBackward`.
    func forward(_ x: Tensor, _ mode: ForwardMode) -> Tensor
    /// Adds dL/dθ into trainable parameters' `grad`; returns dL/dx when asked.
    func backward(_ dy: Tensor, needsInputGradient: Bool) -> Tensor?
}
