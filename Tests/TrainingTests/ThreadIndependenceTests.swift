import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// Runs become processes that may get 1 or 2 threads each: training must give the same bits
/// either way.
@Suite(.serialized) struct ThreadIndependenceTests {
    func withThreads<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let before = computeCores
        setComputeThreads(threads)
        defer { setComputeThreads(before) }
        return try body()
    }

    func smallModel() throws -> YOLOv5Model {
        var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        spec.widthMultiple = 0.25
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: 4)
        try model.applyFreeze(FreezeSpec(firstLayers: 2))
        return model
    }

    /// The optimizer's passes (clipping with its blocked norm, SGD, EMA) split work by element.
    @Test func optimizerAndEMAGiveTheSameBitsOnOneAndTwoThreads() throws {
        let states = try [1, 2].map { threads in
            try withThreads(threads) { () -> [[UInt32]] in
                let model = try smallModel()
                let sgd = SGD(parameters: model.namedParameters(), batchNormWeights: Set(model.namedBatchNorms.map { $0.0 + ".weight" }),
                              learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
                let ema = try ModelEMA(copying: model, parameters: sgd.arena)
                var rng = SeededGenerator(seed: 8)
                for _ in 0..<3 {
                    for (_, p) in model.namedParameters() where p.isTrainable {
                        p.grad!.assign(Tensor.uniform(shape: p.value.shape, in: -3...3, using: &rng))
                    }
                    sgd.clipGradientNorm(maxNorm: 10)
                    sgd.step()
                    ema.update()
                }
                return (model.stateDict() + ema.model.stateDict()).map { $0.1.values.map(\.bitPattern) }
                    + sgd.buffers.map { $0?.values.map(\.bitPattern) ?? [] }
            }
        }
        let differing = zip(states[0], states[1]).filter { $0.0 != $0.1 }.count
        #expect(states[0].count == states[1].count && differing == 0, "\(differing) of \(states[0].count) tensors differ")
    }

    /// The whole loop: NeuralCore's kernels cut work into a fixed plan of parts whatever the
    /// thread count (convolution weight gradients, BatchNorm statistics), so every bit matches.
    @Test func oneAndTwoThreadsTrainToTheSameBits() throws {
        let states = try [1, 2].map { threads in
            try withThreads(threads) { () -> [[UInt32]] in
                let model = try smallModel()
                let hyp = try Hyperparameters(contentsOf: experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml"))
                var settings = TrainingSettings(epochs: 2, batchSize: 4, imageSize: 64, hyp: hyp)
                settings.nominalBatchSize = 8
                let data = InMemoryBatches([syntheticBatch(images: 4, size: 64, seed: 11), syntheticBatch(images: 4, size: 64, seed: 12)])
                let trainer = try Trainer(model: model, settings: settings, train: data, validation: nil)
                try trainer.run()
                return (model.stateDict() + trainer.ema.model.stateDict()).map { $0.1.values.map(\.bitPattern) }
            }
        }
        let differing = zip(states[0], states[1]).filter { $0.0 != $0.1 }.count
        #expect(differing == 0, "\(differing) of \(states[0].count) state tensors differ")
    }
}
