/// Where one epoch's wall time went, phase by phase, as the results file records it
/// (`seconds_{data_wait,forward,backward,optimizer,ema,validation}`). Per epoch or per image:
/// only ratios are used.
public struct PhaseSeconds: Equatable, Sendable {
    /// Waiting for the loader's next batch (`seconds_data_wait`).
    public var dataWait: Double
    /// Forward passes of training (`seconds_forward`).
    public var forward: Double
    /// Backward passes: weight and input gradients (`seconds_backward`).
    public var backward: Double
    /// Optimizer steps (`seconds_optimizer`).
    public var optimizer: Double
    /// EMA updates (`seconds_ema`).
    public var ema: Double
    /// Validation after the epoch (`seconds_validation`).
    public var validation: Double

    /// The six phases, in seconds.
    public init(dataWait: Double, forward: Double, backward: Double, optimizer: Double, ema: Double, validation: Double) {
        self.dataWait = dataWait
        self.forward = forward
        self.backward = backward
        self.optimizer = optimizer
        self.ema = ema
        self.validation = validation
    }

    /// The training phases (everything but validation): what images/s is measured over.
    public var training: Double { dataWait + forward + backward + optimizer + ema }

    /// The whole epoch: training and validation.
    public var total: Double { training + validation }

    /// Each phase with its name in words, for messages.
    var named: [(String, Double)] {
        [("data wait", dataWait), ("forward", forward), ("backward", backward),
         ("optimizer", optimizer), ("EMA", ema), ("validation", validation)]
    }
}

/// The work one training image costs a scenario's graph as it actually runs: a frozen prefix
/// runs forward only, frozen parameters get no weight gradient, and layers with nothing
/// trainable upstream compute no input gradient.
public struct TrainingWork: Equatable, Sendable {
    /// Forward FLOPs per image (the same whatever is frozen, unless BatchNorm is folded).
    public var forwardFLOPs: Double
    /// FLOPs of dL/dθ per image, over trainable parameters only.
    public var weightGradientFLOPs: Double
    /// FLOPs of dL/dx per image, over layers with something trainable upstream.
    public var inputGradientFLOPs: Double
    /// Parameters the optimizer steps (trainable ones).
    public var trainableParameters: Double

    /// The work of one image, in FLOPs and parameters.
    public init(forwardFLOPs: Double, weightGradientFLOPs: Double, inputGradientFLOPs: Double, trainableParameters: Double) {
        self.forwardFLOPs = forwardFLOPs
        self.weightGradientFLOPs = weightGradientFLOPs
        self.inputGradientFLOPs = inputGradientFLOPs
        self.trainableParameters = trainableParameters
    }

    /// Backward FLOPs per image: weight and input gradients.
    public var backwardFLOPs: Double { weightGradientFLOPs + inputGradientFLOPs }

    /// Each figure with its name, for messages.
    var named: [(String, Double)] {
        [("forward FLOPs", forwardFLOPs), ("weight-gradient FLOPs", weightGradientFLOPs),
         ("input-gradient FLOPs", inputGradientFLOPs), ("trainable parameters", trainableParameters)]
    }
}
