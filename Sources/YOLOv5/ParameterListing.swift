/// The listing `freeze-study layers` prints, in the spirit of the guide's
/// `for k, v in model.named_parameters(): print(k)`.
public struct ParameterListing {
    public let model: YOLOv5Model
    /// Per parameter name, whether it came from a checkpoint (nil: no checkpoint was given).
    public var loaded: Set<String>?

    public init(model: YOLOv5Model, loaded: Set<String>? = nil) {
        self.model = model
        self.loaded = loaded
    }

    /// One line per parameter: `name<TAB>shape<TAB>trainable|frozen` (shape like `16x3x6x6`),
    /// plus `<TAB>loaded|initialised` when a checkpoint was given.
    public var lines: [String] {
        model.namedParameters().map { name, parameter in
            var fields = [name, parameter.value.shape.map(String.init).joined(separator: "x"),
                          parameter.isTrainable ? "trainable" : "frozen"]
            if let loaded { fields.append(loaded.contains(name) ? "loaded" : "initialised") }
            return fields.joined(separator: "\t")
        }
    }

    /// Layers, parameters, trainable and frozen counts on one line.
    public var summary: String {
        let s = model.freezeSummary
        let total = s.trainableParameters + s.frozenParameters
        return "\(model.layerCount) layers (\(model.moduleCount) modules as YOLOv5's summary counts them), "
            + "\(total) parameters in \(s.trainableTensors + s.frozenTensors) tensors: "
            + "\(s.trainableParameters) trainable (\(s.trainableTensors) tensors), "
            + "\(s.frozenParameters) frozen (\(s.frozenTensors) tensors)"
    }
}
