import Checkpoints
import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// Data-parallel training on two real MPI ranks (`mpirun -np 2 distributed-check`): the
/// averaged gradient is the mean of the two half-batch gradients, which this test computes
/// itself in one process, and the ranks' weights stay bit-identical over the steps.
@Suite(.serialized) struct DataParallelTests {
    static let steps = 3, batch = 4, size = 64

    /// Rank `rank` of `size` without communication: the all-reduce keeps this process's gradient.
    final class SimulatedRank: ProcessGroup {
        let rank: Int, size: Int
        var local: Tensor?
        init(rank: Int, size: Int) { self.rank = rank; self.size = size }
        func broadcast(_ tensor: Tensor) {}
        func allreduceMean(_ tensor: Tensor) { if local == nil { local = tensor.copy() } }
        func allgather(_ values: [Double]) -> [Double] { Array([[Double]](repeating: values, count: size).joined()) }
    }

    static let modelSettings = ["model": Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml").path,
                                "width_multiple": "0.25", "classes": "3", "seed": "4", "frozen_layers": "2",
                                "hyp": experimentsHyps.appendingPathComponent("hyp.scratch-low.yaml").path,
                                "steps": "\(steps)"]

    func model() throws -> YOLOv5Model {
        var spec = try ModelSpec(contentsOf: URL(fileURLWithPath: Self.modelSettings["model"]!))
        spec.widthMultiple = 0.25
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: 4)
        try model.applyFreeze(FreezeSpec(firstLayers: 2))
        return model
    }

    /// Images `first ..< first + count` of `batch`, with their targets.
    func slice(_ batch: TrainingBatch, first: Int, count: Int) -> TrainingBatch {
        let images = Tensor(shape: [count] + Array(batch.images.shape.dropFirst()))
        images.assign(Tensor(viewing: batch.images, offset: first * images.count / count, shape: images.shape))
        let targets = batch.targets.filter { (first..<(first + count)).contains($0.image) }.map {
            DetectionTarget(image: $0.image - first, classIndex: $0.classIndex, x: $0.x, y: $0.y, w: $0.w, h: $0.h)
        }
        return TrainingBatch(images: images, targets: targets)
    }

    /// The first gradient (loss scaled by the world size, as each rank computes it) of half `rank` of `batch`, in this process.
    func halfBatchGradient(_ batch: TrainingBatch, rank: Int) throws -> Tensor {
        let group = SimulatedRank(rank: rank, size: 2)
        var settings = TrainingSettings(epochs: 1, batchSize: Self.batch, imageSize: Self.size,
                                        hyp: try Hyperparameters(contentsOf: URL(fileURLWithPath: Self.modelSettings["hyp"]!)))
        settings.nominalBatchSize = Self.batch
        let trainer = try Trainer(model: try model(), settings: settings,
                                  train: InMemoryBatches([slice(batch, first: rank * 2, count: 2)]), validation: nil)
        trainer.processGroup = group
        _ = try trainer.runEpoch(0)
        return try #require(group.local)
    }

    @Test func theAveragedGradientIsTheMeanOfTheHalfBatchGradientsAndTheRanksStayBitIdentical() throws {
        let folder = TemporaryFolder(#function)
        let batches = (0..<Self.steps).map { syntheticBatch(images: Self.batch, size: Self.size, seed: 31 + UInt64($0)) }
        var tensors: [(String, Tensor)] = []
        for (i, batch) in batches.enumerated() {
            let rows = batch.targets.flatMap { [Float($0.image), Float($0.classIndex), $0.x, $0.y, $0.w, $0.h] }
            tensors += [("images/\(i)", batch.images), ("targets/\(i)", Tensor(shape: [rows.count / 6, 6], values: rows))]
        }
        let inputs = folder.file("inputs.safetensors")
        try SafeTensors.write(tensors: tensors, metadata: Self.modelSettings, to: inputs)
        let check = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("distributed-check")
        let result = try MPIRun.run(ranks: 2, [check.path, inputs.path, folder.file("out").path])
        try #require(result.status == 0, "\(result.output)")
        let ranks = try (0..<2).map { try SafeTensors.read(folder.file("out-rank\($0).safetensors")).tensors }

        let before = computeCores
        setComputeThreads(1)  // the ranks compute with one thread each
        defer { setComputeThreads(before) }
        let halves = try (0..<2).map { try halfBatchGradient(batches[0], rank: $0) }
        let local = try ranks.map { try #require($0["local"]) }
        for rank in 0..<2 {
            #expect(local[rank].values.map(\.bitPattern) == halves[rank].values.map(\.bitPattern),
                    "rank \(rank)'s gradient is not the one its half of the batch gives in one process")
        }
        #expect(local[0].values != local[1].values, "the ranks trained on the same images")
        // The all-reduce sums two floats and halves the sum, as (g0 + g1) / 2 here: the same bits
        // in exact arithmetic order; 1e-6 of the largest element allows for another summation order.
        let expected = zip(halves[0].values, halves[1].values).map { ($0 + $1) / 2 }
        let largest = expected.map(abs).max() ?? 0
        for rank in 0..<2 {
            let mean = try #require(ranks[rank]["mean"]).values
            #expect(mean.count == expected.count && mean.allSatisfy(\.isFinite))
            let worst = zip(mean, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-6 * largest, "rank \(rank): the averaged gradient differs from the mean of the halves by \(worst) (largest \(largest))")
        }
        let names = ranks[0].keys.filter { $0.hasPrefix("model/") }.sorted()
        #expect(names.count == (try model()).namedParameters().count)
        let differing = names.filter { ranks[0][$0]!.values.map(\.bitPattern) != ranks[1][$0]?.values.map(\.bitPattern) }
        #expect(differing.isEmpty, "after \(Self.steps) steps the ranks differ in \(differing.count) parameters: \(differing.prefix(3))")
    }
}
