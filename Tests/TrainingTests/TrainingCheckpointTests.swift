import Checkpoints
import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

@Suite struct TrainingCheckpointTests {
    func trainer(seed: UInt64) throws -> Trainer {
        var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        spec.widthMultiple = 0.125
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: seed)
        try model.applyFreeze(FreezeSpec(firstLayers: 3))
        let hyp = try Hyperparameters(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.scratch-low.yaml"))
        var settings = TrainingSettings(epochs: 3, batchSize: 4, imageSize: 64, hyp: hyp)
        settings.nominalBatchSize = 4
        return try Trainer(model: model, settings: settings, train: InMemoryBatches([syntheticBatch(images: 4, size: 64, seed: 5)]),
                           validation: nil)
    }

    @Test func roundTripIsBitIdentical() throws {
        let original = try trainer(seed: 1)
        _ = try original.runEpoch(0)
        _ = try original.runEpoch(1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try TrainingCheckpoint.save(original, completedEpochs: 2, configuration: #"{"seed": 1}"#, to: url)

        let restored = try trainer(seed: 99)
        let info = try TrainingCheckpoint.restore(url, into: restored)
        #expect(info == TrainingCheckpoint.Info(completedEpochs: 2, emaUpdates: original.ema.updates, configuration: #"{"seed": 1}"#,
                                                lastOptimizerStep: original.lastOptimizerStep))
        #expect(restored.model.stateDict().map(\.1.values) == original.model.stateDict().map(\.1.values))
        #expect(restored.ema.model.stateDict().map(\.1.values) == original.ema.model.stateDict().map(\.1.values))
        let buffers = zip(original.optimizer.buffers, restored.optimizer.buffers)
        #expect(buffers.allSatisfy { $0?.values == $1?.values })
        #expect(original.optimizer.buffers.compactMap { $0 }.count == original.model.namedParameters().filter { $0.1.isTrainable }.count,
                "frozen parameters have no momentum buffer")

        // The same next epoch from either: resuming changes nothing.
        _ = try original.runEpoch(2)
        _ = try restored.runEpoch(2)
        #expect(restored.model.stateDict().map(\.1.values) == original.model.stateDict().map(\.1.values))
    }

    @Test func aForeignFileIsRefused() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("foreign-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try SafeTensors.write(tensors: [("w", Tensor(shape: [2]))], metadata: ["format": "other"], to: url)
        #expect(throws: (any Error).self) { try TrainingCheckpoint.restore(url, into: try trainer(seed: 1)) }
    }
}
