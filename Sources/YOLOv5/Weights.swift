import Checkpoints
import Foundation
import NeuralCore

/// Starting weights from a file: a YOLOv5 PyTorch checkpoint (`.pt`, read natively) or a
/// FreezeStudy checkpoint (`.safetensors`, tensors named `ema/<state name>` and `model/<state name>`).
public struct Weights {
    /// State-dict entries by PyTorch name, as Float32.
    public let stateDict: [String: Tensor]
    /// What was read: the file and which part of it ("'model' of … DetectionModel", …).
    public let description: String

    /// Prefixes of FreezeStudy's own checkpoints, in order of preference (the EMA, as train.py saves it).
    public static let checkpointPrefixes = ["ema/", "model/"]

    /// Reads `url`; the format follows the extension (`.safetensors`) or else is PyTorch's.
    public init(contentsOf url: URL) throws {
        if url.pathExtension == "safetensors" {
            let file = try SafeTensors.open(url)  // converts only the tensors asked for
            guard let prefix = Self.checkpointPrefixes.first(where: { p in file.names.contains { $0.hasPrefix(p) } }) else {
                throw CheckpointError(.noModelState, file: url.path, location: "header",
                                      reason: "no tensor named ema/… or model/… (not a FreezeStudy checkpoint)")
            }
            var state: [String: Tensor] = [:]
            for name in file.names where name.hasPrefix(prefix) { state[String(name.dropFirst(prefix.count))] = file.tensor(name) }
            stateDict = state
            description = "\(url.lastPathComponent) (\(prefix.dropLast()) weights, FreezeStudy checkpoint)"
        } else {
            let checkpoint = try TorchCheckpoint.load(url)
            let state = try Self.trainPyState(checkpoint)
            stateDict = state.floatTensors()
            description = "\(url.lastPathComponent) (\(state.sourceKey.map { "'\($0)' of " } ?? "")\(state.moduleClass ?? "state dict"), PyTorch checkpoint)"
        }
    }
}

extension Weights {
    /// The entry train.py starts from: `ckpt['model']` (for an unstripped last.pt the raw
    /// weights, not the EMA; `strip_optimizer` copies the EMA there for best.pt). Files without a
    /// `model` entry (a plain state dict, `state_dict`, only `ema`) fall back to
    /// `TorchCheckpoint.stateDict()`.
    static func trainPyState(_ checkpoint: TorchCheckpoint) throws -> StateDict {
        if let model = checkpoint["model"], !model.isNone { return try checkpoint.stateDict(key: "model") }
        return try checkpoint.stateDict()
    }
}

/// Starting weights that fit nothing in the model.
public struct WeightsMismatch: Error, CustomStringConvertible {
    public let file: String
    public let detail: String
    public var description: String { "\(file): \(detail)" }
}

extension YOLOv5Model {
    /// Loads every entry whose name and shape match (YOLOv5's `intersect_dicts`), reporting the
    /// rest. A file of another architecture is an error: YOLOv5 would start from whatever few
    /// tensors happen to fit (often only Detect's biases) and print "Transferred 4/349 items";
    /// here fewer than half of the parameter tensors matching stops the run.
    @discardableResult
    public func load(_ weights: Weights) throws -> StateLoadReport {
        // Check before copying anything, so a refused file leaves the model untouched.
        let parameters = namedParameters()
        let matching = parameters.filter { weights.stateDict[$0.0]?.shape == $0.1.value.shape }.count
        guard 2 * matching >= parameters.count else {
            let sample = weights.stateDict.keys.sorted().prefix(3).joined(separator: ", ")
            throw WeightsMismatch(file: weights.description, detail: "only \(matching) of this model's \(parameters.count) "
                                  + "parameter tensors match by name and shape (the file has \(weights.stateDict.count) tensors, "
                                  + "e.g. \(sample)); is it another architecture or width?")
        }
        return load(stateDict: weights.stateDict)
    }
}
