/// What a scenario is, written as attributes of `/scenarios/<name>` when it begins.
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
    /// The full resolved configuration as JSON (keys such as `model`, `data`, `image_size`,
    /// `batch_size`, `epochs`, `hyp`, `weights`, `seed`, `bn`, `freeze`, `difficult_objects`).
    public var configJSON: String
    /// The seed of every random generator of the run.
    public var seed: Int64
    /// The command that ran the scenario (shown in the report); may be empty.
    public var command: String

    /// A scenario description.
    public init(freeze: String, freezePatterns: [String] = [], bn: String,
                trainableTensors: Int, trainableParameters: Int, frozenTensors: Int, frozenParameters: Int,
                configJSON: String, seed: Int64, command: String = "") {
        self.freeze = freeze
        self.freezePatterns = freezePatterns
        self.bn = bn
        self.trainableTensors = trainableTensors
        self.trainableParameters = trainableParameters
        self.frozenTensors = frozenTensors
        self.frozenParameters = frozenParameters
        self.configJSON = configJSON
        self.seed = seed
        self.command = command
    }
}

/// Whether a scenario has finished (attribute `status`).
public enum ScenarioStatus: String, Equatable, Sendable {
    /// Begun and not finished: still training, or killed (resumable).
    case running
    /// `finishScenario` was called after the last epoch.
    case complete
}

/// What the trainer reports when a scenario has finished (attributes written by `finishScenario`).
public struct ScenarioCompletion: Equatable, Sendable {
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

/// Per-class average precision of one scenario (`/scenarios/<name>/per_class`), one entry per class.
public struct PerClassAP: Equatable, Sendable {
    /// Class names, in class-index order.
    public var names: [String]
    /// AP@0.5 per class (NaN for a class without validation labels).
    public var ap50: [Double]
    /// AP@0.5:0.95 per class.
    public var ap50to95: [Double]
    /// Validation labels per class.
    public var nLabels: [Int]
    /// The 0-based epoch whose model was evaluated (e.g. the best epoch, like YOLOv5's final
    /// validation of best.pt), if the caller says.
    public var epoch: Int?

    /// Per-class AP; every array has one entry per class.
    public init(names: [String], ap50: [Double], ap50to95: [Double], nLabels: [Int], epoch: Int? = nil) {
        self.names = names
        self.ap50 = ap50
        self.ap50to95 = ap50to95
        self.nLabels = nLabels
        self.epoch = epoch
    }

    /// Equal when names, counts and epoch are equal and APs are equal or both NaN.
    public static func == (a: PerClassAP, b: PerClassAP) -> Bool {
        a.names == b.names && a.nLabels == b.nLabels && a.epoch == b.epoch
            && a.ap50.count == b.ap50.count && zip(a.ap50, b.ap50).allSatisfy(sameValue)
            && a.ap50to95.count == b.ap50to95.count && zip(a.ap50to95, b.ap50to95).allSatisfy(sameValue)
    }
}
