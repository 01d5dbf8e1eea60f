import NeuralCore

/// Convolution FLOPs of one training image (2 per multiply-add, as YOLOv5's GFLOPs and thop
/// count them; BatchNorm, activations, pooling, Upsample, Concat and the loss are memory-bound
/// and not counted), split by pass.
public struct TrainingFLOPs: Sendable, Equatable, CustomStringConvertible {
    /// Every convolution's forward pass.
    public var forward = 0.0
    /// dL/dW of every convolution whose weight trains.
    public var weightGradient = 0.0
    /// dL/dx of every convolution that passes a gradient to its input.
    public var inputGradient = 0.0

    public init(forward: Double = 0, weightGradient: Double = 0, inputGradient: Double = 0) {
        self.forward = forward
        self.weightGradient = weightGradient
        self.inputGradient = inputGradient
    }

    /// Both backward passes.
    public var backward: Double { weightGradient + inputGradient }
    /// Forward and backward.
    public var total: Double { forward + backward }

    public var description: String {
        String(format: "%.3f GFLOP forward + %.3f weight gradient + %.3f input gradient = %.3f GFLOP per image",
               forward / 1e9, weightGradient / 1e9, inputGradient / 1e9, total / 1e9)
    }
}

extension YOLOv5Model {
    /// The convolution FLOPs of one training image of `imageSize`² as this model runs under its
    /// current freeze: a frozen prefix runs forward only, a frozen weight gets no gradient, and a
    /// convolution computes dL/dx only where something upstream of it trains.
    ///
    /// Counted, not predicted: one image goes forward and backward through a copy of this model
    /// with the same parameters frozen, and every convolution pass that runs is added up
    /// (`KernelProfile`), so the count follows what the layers do. The copy keeps this model's
    /// gradients and statistics untouched. The profile is process-wide: call it while no other
    /// convolution runs.
    public func trainingFLOPs(imageSize: Int) throws -> TrainingFLOPs {
        precondition(imageSize > 0 && imageSize % Int(detect.strides.max() ?? 1) == 0,
                     "trainingFLOPs: image size \(imageSize) is not a multiple of the largest stride")
        let copy = try YOLOv5Model(spec: spec, classCount: classCount, seed: 0)
        let trainable = Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.0, $0.1.isTrainable) })
        for (name, parameter) in copy.namedParameters() { parameter.isTrainable = trainable[name]! }
        let profile = KernelProfile()
        let previous = KernelProfile.current
        KernelProfile.install(profile)
        defer { KernelProfile.install(previous) }
        // Eval-mode statistics: the count does not depend on them, and one image has no batch spread.
        let raw = copy.forward(Tensor(shape: [1, 3, imageSize, imageSize]), training: false, recordsForBackward: true)
        copy.backward(raw.map { Tensor(shape: $0.shape) })
        var flops = TrainingFLOPs()
        for sample in profile.recorded {
            let perImage = sample.flops / Double(sample.inputShape[0])
            switch sample.pass {
            case .forward: flops.forward += perImage
            case .weightGradient: flops.weightGradient += perImage
            case .inputGradient: flops.inputGradient += perImage
            }
        }
        return flops
    }
}
