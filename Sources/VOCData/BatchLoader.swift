import Foundation
import NeuralCore

/// Prepares batches of a dataset for training or validation, on background threads, into a
/// bounded queue (YOLOv5's `InfiniteDataLoader` with `--workers` and `--cache`).
///
/// Every batch is a pure function of (configuration, epoch, batch index): samples draw their
/// randomness from generators seeded by (seed, epoch, dataset index), so the batches are the same
/// whatever the number of workers and the thread timing.
///
/// ```swift
/// let loader = try BatchLoader(dataset: train, configuration: .training(imageSize: 320, batchSize: 16,
///                                                                        augmentation: .scratchLow, seed: 0))
/// let batches = loader.makeIterator(epoch: 0)
/// while let batch = batches.next() { /* train on batch.images, batch.targets */ }
/// print(batches.waitSeconds)  // time the trainer waited for data
/// ```
public final class BatchLoader: @unchecked Sendable {
    /// The dataset batched.
    public let dataset: DetectionDataset
    /// How batches are made.
    public let configuration: LoaderConfiguration
    private let store: ImageStore
    private let builder: SampleBuilder
    private let rectPlan: BatchPlan?

    /// A loader; with `cache: .ram` every image is decoded and resized now.
    public init(dataset: DetectionDataset, configuration: LoaderConfiguration) throws {
        if let reason = configuration.invalidReason { throw LoaderError(reason: reason) }
        guard !dataset.samples.isEmpty else { throw LoaderError(reason: "the dataset has no samples") }
        self.dataset = dataset
        self.configuration = configuration
        store = ImageStore(samples: dataset.samples, imageSize: configuration.imageSize, augment: configuration.augment,
                           cache: configuration.cache)
        builder = SampleBuilder(dataset: dataset, store: store, configuration: configuration)
        rectPlan = configuration.rect
            ? BatchPlan.rect(samples: dataset.samples, batchSize: configuration.batchSize, size: configuration.imageSize,
                             stride: configuration.stride, pad: configuration.rectPad)
            : nil
    }

    /// Batches per epoch (the last one may be partial).
    public var batchCount: Int {
        (configuration.shard.samples(of: dataset.samples.count) + configuration.batchSize - 1) / configuration.batchSize
    }

    /// Images that failed to decode while loading (each replaced by a grey background image).
    public var problems: [DataProblem] { store.problems }

    /// The batches of `epoch`, prepared in the background as they are consumed.
    public func makeIterator(epoch: Int) -> EpochIterator { EpochIterator(loader: self, plan: plan(epoch: epoch), epoch: epoch) }

    /// The batches of `epoch` from index `start` on, the same as `makeIterator(epoch:)` gives from
    /// there (every batch is a function of epoch and index): a run resuming mid-epoch prepares
    /// none of the batches before it.
    public func makeIterator(epoch: Int, from start: Int) -> EpochIterator {
        EpochIterator(loader: self, plan: plan(epoch: epoch), epoch: epoch, start: start)
    }

    /// The batches of `epoch` as a sequence (`for batch in loader.epoch(3) { … }`).
    public func epoch(_ epoch: Int) -> EpochBatches { EpochBatches(loader: self, epoch: epoch) }

    /// Batch `index` of `epoch`, prepared on the calling thread (what workers run).
    public func batch(_ index: Int, epoch: Int) -> Batch { makeBatch(index, plan: plan(epoch: epoch), epoch: epoch) }

    func plan(epoch: Int) -> BatchPlan {
        rectPlan ?? BatchPlan.square(count: dataset.samples.count, batchSize: configuration.batchSize,
                                     size: configuration.imageSize, shuffle: configuration.shuffle,
                                     seed: configuration.seed, epoch: epoch, shard: configuration.shard)
    }

    func makeBatch(_ index: Int, plan: BatchPlan, epoch: Int) -> Batch {
        let shape = plan.shapes[index]
        let prepared = plan.batches[index].map { i -> PreparedSample in
            var rng = SampleSeeds.generator(seed: configuration.seed, epoch: epoch, index: i)
            return builder.build(i, height: shape.height, width: shape.width, using: &rng)
        }
        return Batch(prepared, index: index)
    }
}

/// The batches of one epoch as a `Sequence`.
public struct EpochBatches: Sequence {
    let loader: BatchLoader
    let epoch: Int
    /// An iterator that starts the epoch's workers.
    public func makeIterator() -> EpochIterator { loader.makeIterator(epoch: epoch) }
}
