import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// Runs become processes that may get 1 or 2 threads each: training must give the same bits
/// either way (the optimizer's passes split work by element; the gradient norm sums fixed blocks).
@Suite(.serialized) struct ThreadIndependenceTests {
    func trainedState(threads: Int) throws -> [[UInt32]] {
        let before = computeCores
        setComputeThreads(threads)
        defer { setComputeThreads(before) }
        var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        spec.widthMultiple = 0.25
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: 4)
        try model.applyFreeze(FreezeSpec(firstLayers: 2))
        let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml"))
        var settings = TrainingSettings(epochs: 2, batchSize: 4, imageSize: 64, hyp: hyp)
        settings.nominalBatchSize = 8
        let data = InMemoryBatches([syntheticBatch(images: 4, size: 64, seed: 11), syntheticBatch(images: 4, size: 64, seed: 12)])
        let trainer = try Trainer(model: model, settings: settings, train: data, validation: nil)
        try trainer.run()
        return (model.stateDict() + trainer.ema.model.stateDict()).map { $0.1.values.map(\.bitPattern) }
            + trainer.optimizer.buffers.map { $0?.values.map(\.bitPattern) ?? [] }
    }

    @Test func oneAndTwoThreadsTrainToTheSameBits() throws {
        let one = try trainedState(threads: 1)
        let two = try trainedState(threads: 2)
        #expect(one.count == two.count)
        let differing = zip(one, two).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(differing.isEmpty, "\(differing.count) tensors differ, e.g. \(differing.prefix(5))")
    }
}
