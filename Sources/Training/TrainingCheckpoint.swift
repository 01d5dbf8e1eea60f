import Checkpoints
import Foundation
import NeuralCore

/// FreezeStudy's own checkpoint: a safetensors file (readable by any safetensors library)
/// holding the training model, the EMA, the optimizer's momentum buffers and the run's state.
///
/// Tensor names: `model/<state name>` and `ema/<state name>` (PyTorch state-dict names, BN
/// running statistics and anchors included), `momentum/<parameter name>` for every parameter
/// that has taken an optimizer step. Metadata: `format`, `completed_epochs`, `ema_updates`,
/// `config` (the resolved configuration as JSON).
public enum TrainingCheckpoint {
    public static let format = "freezestudy-checkpoint-1"

    /// What a checkpoint says besides its tensors.
    public struct Info: Equatable, Sendable {
        public var completedEpochs: Int
        public var emaUpdates: Int
        public var configuration: String
    }

    /// Writes the trainer's state after `completedEpochs` epochs (atomically: a crash leaves the
    /// previous file).
    public static func save(_ trainer: Trainer, completedEpochs: Int, configuration: String, to url: URL) throws {
        var tensors = trainer.model.stateDict().map { ("model/" + $0.0, $0.1) }
        tensors += trainer.ema.model.stateDict().map { ("ema/" + $0.0, $0.1) }
        for (member, buffer) in zip(trainer.optimizer.members, trainer.optimizer.buffers) {
            if let buffer { tensors.append(("momentum/" + member.name, buffer)) }
        }
        let metadata = ["format": format, "completed_epochs": "\(completedEpochs)", "ema_updates": "\(trainer.ema.updates)",
                        "config": configuration]
        try SafeTensors.write(tensors: tensors, metadata: metadata, to: url)
    }

    /// Reads only the metadata.
    public static func info(_ url: URL) throws -> Info {
        try info(SafeTensors.open(url).metadata, file: url.path)
    }

    /// Restores model, EMA and momentum buffers into `trainer`; returns the metadata.
    @discardableResult
    public static func restore(_ url: URL, into trainer: Trainer) throws -> Info {
        let contents = try SafeTensors.read(url)
        let info = try info(contents.metadata, file: url.path)
        func restoreState(_ prefix: String, _ state: [(String, Tensor)]) throws {
            for (name, target) in state {
                guard let tensor = contents.tensors[prefix + name], tensor.shape == target.shape else {
                    throw CheckpointError(.wrongType, file: url.path, location: prefix + name,
                                          reason: "missing or of another shape than the model's \(target.shape)")
                }
                target.assign(tensor)
            }
        }
        try restoreState("model/", trainer.model.stateDict())
        try restoreState("ema/", trainer.ema.model.stateDict())
        var buffers: [Int: Tensor] = [:]
        for (index, member) in trainer.optimizer.members.enumerated() {
            guard let tensor = contents.tensors["momentum/" + member.name] else { continue }
            guard tensor.shape == member.parameter.value.shape else {
                throw CheckpointError(.wrongType, file: url.path, location: "momentum/" + member.name,
                                      reason: "shape \(tensor.shape), the parameter's is \(member.parameter.value.shape)")
            }
            buffers[index] = tensor
        }
        trainer.optimizer.restoreBuffers(buffers)
        trainer.ema.updates = info.emaUpdates
        return info
    }

    private static func info(_ metadata: [String: String], file: String) throws -> Info {
        guard metadata["format"] == format else {
            throw CheckpointError(.noModelState, file: file, location: "metadata.format",
                                  reason: "'\(metadata["format"] ?? "none")' is not a FreezeStudy checkpoint (\(format))")
        }
        guard let epochs = metadata["completed_epochs"].flatMap(Int.init), let updates = metadata["ema_updates"].flatMap(Int.init) else {
            throw CheckpointError(.wrongType, file: file, location: "metadata", reason: "completed_epochs or ema_updates missing")
        }
        return Info(completedEpochs: epochs, emaUpdates: updates, configuration: metadata["config"] ?? "")
    }
}
