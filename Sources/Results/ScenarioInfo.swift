/// What a scenario is, the same for each of its seeds: attributes of `/scenarios/<name>`.
public struct ScenarioInfo: Equatable, Sendable {
    /// The freeze spec as the user wrote it (`10`, `0-9`, `[0, 1]`, `model.2.cv1.`, or empty for none).
    public var freeze: String
    /// The resolved name patterns (`model.0.` … `model.9.`), matched by substring as train.py does.
    public var freezePatterns: [String]
    /// BatchNorm of frozen layers: `update` (YOLOv5's behaviour) or `frozen` (eval mode).
    public var bn: String
    /// Parameter tensors that train, and their element count.
    public var trainableTensors: Int, trainableParameters: Int
    /// Parameter tensors that are frozen, and their element count.
    public var frozenTensors: Int, frozenParameters: Int
    /// The full resolved configuration as JSON, without the seed (keys such as `model`, `data`,
    /// `image_size`, `batch_size`, `epochs`, `hyp`, `weights`, `bn`, `freeze`, `difficult_objects`).
    public var configJSON: String

    /// A scenario description.
    public init(freeze: String, freezePatterns: [String] = [], bn: String,
                trainableTensors: Int, trainableParameters: Int, frozenTensors: Int, frozenParameters: Int,
                configJSON: String) {
        self.freeze = freeze
        self.freezePatterns = freezePatterns
        self.bn = bn
        self.trainableTensors = trainableTensors
        self.trainableParameters = trainableParameters
        self.frozenTensors = frozenTensors
        self.frozenParameters = frozenParameters
        self.configJSON = configJSON
    }
}

/// How one run was started: attributes of `/scenarios/<name>/seeds/<seed>` written when it begins.
public struct RunInfo: Equatable, Sendable {
    /// The command that trained the run (shown in the report); may be empty.
    public var command: String
    /// Compute threads the run's process used.
    public var threads: Int
    /// Processes that trained the run together (MPI ranks); 1 for one process.
    public var worldSize: Int
    /// The work one training image costs the run's graph as it runs (nil: not recorded).
    public var flopsPerImage: FLOPsPerImage?

    /// A run description.
    public init(command: String = "", threads: Int = 1, worldSize: Int = 1, flopsPerImage: FLOPsPerImage? = nil) {
        self.command = command
        self.threads = threads
        self.worldSize = worldSize
        self.flopsPerImage = flopsPerImage
    }
}

/// Convolution FLOPs of one training image, by pass, as the scenario's graph runs them (a frozen
/// prefix forward only, no weight gradient for a frozen weight, no input gradient where nothing
/// upstream trains). Attributes `flops_per_image_{forward,weight_gradient,input_gradient}` of a run.
public struct FLOPsPerImage: Equatable, Sendable {
    /// Forward passes of every convolution.
    public var forward: Double
    /// dL/dW of the convolutions whose weights train.
    public var weightGradient: Double
    /// dL/dx of the convolutions that pass a gradient on.
    public var inputGradient: Double

    /// The work of one image, in FLOPs.
    public init(forward: Double, weightGradient: Double, inputGradient: Double) {
        self.forward = forward
        self.weightGradient = weightGradient
        self.inputGradient = inputGradient
    }

    /// Both backward passes.
    public var backward: Double { weightGradient + inputGradient }
}

/// Whether a run has finished (attribute `status`).
public enum RunStatus: String, Equatable, Sendable {
    /// Begun and not finished: still training, or killed (resumable).
    case running
    /// `finishRun` was called after the last epoch.
    case complete
}

/// What the trainer reports when a run has finished (attributes written by `finishRun`).
public struct RunCompletion: Equatable, Sendable {
    /// Whether every frozen tensor is bit-identical to its value before training.
    public var frozenTensorsUnchanged: Bool
    /// How many frozen tensors were compared.
    public var frozenTensorsChecked: Int
    /// Free text worth keeping with the results (e.g. "resumed at epoch 12"); may be empty.
    public var note: String

    /// A completion record.
    public init(frozenTensorsUnchanged: Bool, frozenTensorsChecked: Int, note: String = "") {
        self.frozenTensorsUnchanged = frozenTensorsUnchanged
        self.frozenTensorsChecked = frozenTensorsChecked
        self.note = note
    }
}
