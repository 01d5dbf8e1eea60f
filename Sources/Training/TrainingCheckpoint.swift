import Checkpoints
import Foundation
import NeuralCore

/// FreezeStudy's own checkpoint: a safetensors file (readable by any safetensors library)
/// holding the training model, the EMA, the optimizer's momentum buffers and the run's state.
///
/// Tensor names: `model/<state name>` and `ema/<state name>` (PyTorch state-dict names, BN
/// running statistics and anchors included), `momentum/<parameter name>` for every parameter
/// that has taken an optimizer step, and, in a checkpoint saved mid-epoch, `grad/<parameter
/// name>` for every trainable parameter (the gradients accumulated since the last step).
/// Metadata: `format`, `completed_epochs`, `ema_updates`, `config` (the resolved configuration
/// as JSON), `last_optimizer_step` (train.py's `last_opt_step`), and mid-epoch
/// `epoch_iteration` (the next iteration of epoch `completed_epochs`) with `epoch_iterations`
/// (the JSON reports of the iterations of that epoch that ran).
public enum TrainingCheckpoint {
    public static let format = "freezestudy-checkpoint-1"

    /// What a checkpoint says besides its tensors.
    public struct Info: Equatable, Sendable {
        /// Epochs finished (validation included).
        public var completedEpochs: Int
        public var emaUpdates: Int
        public var configuration: String
        /// `last_opt_step` (-1 in files written before it was recorded: train.py's value on resume).
        public var lastOptimizerStep: Int = -1
        /// Iterations of epoch `completedEpochs` already run (0 at an epoch boundary).
        public var epochIteration: Int = 0

        /// Where training resumes.
        public var position: TrainingPosition { TrainingPosition(epoch: completedEpochs, iteration: epochIteration) }
    }

    /// Writes the trainer's state after `completedEpochs` whole epochs (atomically: a crash
    /// leaves the previous file).
    public static func save(_ trainer: Trainer, completedEpochs: Int, configuration: String, to url: URL) throws {
        try save(trainer, at: TrainingPosition(epoch: completedEpochs), configuration: configuration, to: url)
    }

    /// Writes the trainer's state where it stands (`trainer.position`): after a stop, mid-epoch.
    public static func save(_ trainer: Trainer, configuration: String, to url: URL) throws {
        try save(trainer, at: trainer.position, configuration: configuration, to: url)
    }

    private static func save(_ trainer: Trainer, at position: TrainingPosition, configuration: String, to url: URL) throws {
        var tensors = trainer.model.stateDict().map { ("model/" + $0.0, $0.1) }
        tensors += trainer.ema.model.stateDict().map { ("ema/" + $0.0, $0.1) }
        for (member, buffer) in zip(trainer.optimizer.members, trainer.optimizer.buffers) {
            if let buffer { tensors.append(("momentum/" + member.name, buffer)) }
        }
        var metadata = ["format": format, "completed_epochs": "\(position.epoch)", "ema_updates": "\(trainer.ema.updates)",
                        "config": configuration, "last_optimizer_step": "\(trainer.lastOptimizerStep)"]
        if !position.isEpochStart {
            precondition(position == trainer.position, "TrainingCheckpoint: mid-epoch state exists only where the trainer stands")
            for member in trainer.optimizer.members {
                if let grad = member.parameter.grad { tensors.append(("grad/" + member.name, grad)) }
            }
            metadata["epoch_iteration"] = "\(position.iteration)"
            metadata["epoch_iterations"] = try IterationLog.encode(trainer.epochIterations)
        }
        try SafeTensors.write(tensors: tensors, metadata: metadata, to: url)
    }

    /// Reads only the metadata.
    public static func info(_ url: URL) throws -> Info {
        try info(SafeTensors.open(url).metadata, file: url.path)
    }

    /// Restores model, EMA, momentum buffers, the step counters and (mid-epoch) the accumulated
    /// gradients and the epoch's iteration reports into `trainer`; returns the metadata.
    @discardableResult
    public static func restore(_ url: URL, into trainer: Trainer) throws -> Info {
        let contents = try SafeTensors.read(url)
        let info = try info(contents.metadata, file: url.path)
        func tensor(_ name: String, shape: [Int]) throws -> Tensor {
            guard let tensor = contents.tensors[name], tensor.shape == shape else {
                throw CheckpointError(.wrongType, file: url.path, location: name,
                                      reason: "missing or of another shape than the model's \(shape)")
            }
            return tensor
        }
        trainer.prepareEpoch(info.position.epoch)  // what trains there decides which gradients the file holds
        for (name, target) in trainer.model.stateDict() { target.assign(try tensor("model/" + name, shape: target.shape)) }
        for (name, target) in trainer.ema.model.stateDict() { target.assign(try tensor("ema/" + name, shape: target.shape)) }
        var buffers: [Int: Tensor] = [:]
        for (index, member) in trainer.optimizer.members.enumerated() where contents.tensors["momentum/" + member.name] != nil {
            buffers[index] = try tensor("momentum/" + member.name, shape: member.parameter.value.shape)
        }
        trainer.optimizer.restoreBuffers(buffers)
        trainer.ema.updates = info.emaUpdates
        trainer.lastOptimizerStep = info.lastOptimizerStep
        trainer.position = info.position
        trainer.epochIterations = []
        if !info.position.isEpochStart {
            trainer.optimizer.zeroGradients()
            for member in trainer.optimizer.members where member.parameter.isTrainable {
                member.parameter.grad!.assign(try tensor("grad/" + member.name, shape: member.parameter.value.shape))
            }
            trainer.epochIterations = try IterationLog.decode(contents.metadata["epoch_iterations"] ?? "", file: url.path)
            guard trainer.epochIterations.count == info.epochIteration else {
                throw CheckpointError(.wrongType, file: url.path, location: "metadata.epoch_iterations",
                                      reason: "\(trainer.epochIterations.count) reports for \(info.epochIteration) iterations")
            }
        }
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
        var info = Info(completedEpochs: epochs, emaUpdates: updates, configuration: metadata["config"] ?? "")
        for (key, path) in [("last_optimizer_step", \Info.lastOptimizerStep), ("epoch_iteration", \Info.epochIteration)] {
            guard let text = metadata[key] else { continue }
            guard let value = Int(text) else {
                throw CheckpointError(.wrongType, file: file, location: "metadata.\(key)", reason: "'\(text)' is not an integer")
            }
            info[keyPath: path] = value
        }
        return info
    }
}

/// The iteration reports of an unfinished epoch as JSON (NaN gradient norms as "nan").
enum IterationLog {
    static func encode(_ reports: [IterationReport]) throws -> String {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(reports), as: UTF8.self)
    }

    static func decode(_ text: String, file: String) throws -> [IterationReport] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode([IterationReport].self, from: Data(text.utf8))
        } catch {
            throw CheckpointError(.wrongType, file: file, location: "metadata.epoch_iterations", reason: "not the expected JSON (\(error))")
        }
    }
}
