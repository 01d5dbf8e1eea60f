import NeuralCore
import YOLOv5

/// What the trainer needs of one image for evaluation: how the network input maps back to the
/// original image, and the original image's labels.
public struct ImageInfo: Sendable {
    public var originalWidth: Int, originalHeight: Int
    /// Resize gain from the original to the network input (val.py's `ratio_pad[0][0]`).
    public var gain: Float
    /// Letterbox padding added on the left and top, in input pixels (float, as val.py keeps it).
    public var padX: Float, padY: Float
    /// Labels in original-image pixels.
    public var labels: [LabeledBox]

    public init(originalWidth: Int, originalHeight: Int, gain: Float, padX: Float, padY: Float, labels: [LabeledBox]) {
        self.originalWidth = originalWidth
        self.originalHeight = originalHeight
        self.gain = gain
        self.padX = padX
        self.padY = padY
        self.labels = labels
    }
}

/// A batch as the trainer consumes it.
public struct TrainingBatch {
    /// [N, 3, H, W], RGB in 0…1.
    public var images: Tensor
    /// Boxes normalised to H and W, with their image index.
    public var targets: [DetectionTarget]
    /// Per image, for evaluation (may be empty for training batches).
    public var info: [ImageInfo]

    public init(images: Tensor, targets: [DetectionTarget], info: [ImageInfo] = []) {
        self.images = images
        self.targets = targets
        self.info = info
    }
}

/// Where batches come from: the trainer knows nothing of files or augmentation.
public protocol BatchSource: AnyObject {
    /// Batches in one epoch (the last one may be partial).
    var batchesPerEpoch: Int { get }
    /// Images in one epoch.
    var imageCount: Int { get }
    /// The batches of `epoch`, in order; `next()` may block while a batch is prepared.
    func batches(epoch: Int) -> AnyIterator<TrainingBatch>
    /// The batches of `epoch` from index `start` on (resuming mid-epoch): the same batches
    /// `batches(epoch:)` gives from there.
    func batches(epoch: Int, from start: Int) -> AnyIterator<TrainingBatch>
}

extension BatchSource {
    /// Makes and drops the first `start` batches; a source that can make batch i directly
    /// (every batch a function of epoch and index) should override this.
    public func batches(epoch: Int, from start: Int) -> AnyIterator<TrainingBatch> {
        let all = batches(epoch: epoch)
        for _ in 0..<start { _ = all.next() }
        return all
    }
}

/// A fixed list of batches (tests, small in-memory datasets).
public final class InMemoryBatches: BatchSource {
    public let items: [TrainingBatch]
    public init(_ items: [TrainingBatch]) { self.items = items }
    public var batchesPerEpoch: Int { items.count }
    public var imageCount: Int { items.map(\.images.n).reduce(0, +) }
    public func batches(epoch: Int) -> AnyIterator<TrainingBatch> { AnyIterator(items.makeIterator()) }
    public func batches(epoch: Int, from start: Int) -> AnyIterator<TrainingBatch> { AnyIterator(items.dropFirst(start).makeIterator()) }
}
