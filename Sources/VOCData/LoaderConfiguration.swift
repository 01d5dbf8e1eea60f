/// How a `BatchLoader` prepares batches.
public struct LoaderConfiguration: Sendable {
    /// Network input size in pixels (a multiple of `stride`); images are resized so their long side is this.
    public var imageSize: Int
    /// Images per batch; the last, partial batch of an epoch is kept.
    public var batchSize: Int
    /// Whether to augment (training) or only letterbox (validation).
    public var augment: Bool
    /// The hyp values used when `augment` is on.
    public var augmentation: AugmentationSettings
    /// Whether to reshuffle the order every epoch (YOLOv5 v7 training).
    public var shuffle: Bool
    /// Seed of every random choice: the same seed and epoch give the same batches.
    public var seed: UInt64
    /// Whether decoded images stay in RAM (`--cache`).
    public var cache: ImageCacheMode
    /// Background threads preparing batches; 0 prepares each batch in `next()` on the caller's thread.
    public var workers: Int
    /// Batches prepared ahead of the consumer at most (the bounded queue's capacity).
    public var prefetch: Int
    /// Rectangular batches (YOLOv5 val): images sorted by aspect ratio, each batch letterboxed to its own shape.
    public var rect: Bool
    /// Padding of rect shapes in strides (v7 val: 0.5).
    public var rectPad: Float
    /// The network's largest stride (32 for YOLOv5 P5 models).
    public var stride: Int
    /// The part of each shuffled epoch this process trains on (data-parallel ranks); `batchSize`
    /// is then the rank's batch.
    public var shard: DataShard = .whole

    /// A configuration from explicit values (see `training` and `validation` for YOLOv5's).
    public init(imageSize: Int, batchSize: Int, augment: Bool, augmentation: AugmentationSettings, shuffle: Bool,
                seed: UInt64, cache: ImageCacheMode = .none, workers: Int = 1, prefetch: Int = 2, rect: Bool = false,
                rectPad: Float = 0, stride: Int = 32) {
        self.imageSize = imageSize
        self.batchSize = batchSize
        self.augment = augment
        self.augmentation = augmentation
        self.shuffle = shuffle
        self.seed = seed
        self.cache = cache
        self.workers = workers
        self.prefetch = prefetch
        self.rect = rect
        self.rectPad = rectPad
        self.stride = stride
    }

    /// YOLOv5 v7 training: augmentation from `augmentation`, reshuffled every epoch, square batches.
    public static func training(imageSize: Int, batchSize: Int, augmentation: AugmentationSettings, seed: UInt64,
                                cache: ImageCacheMode = .ram, workers: Int = 1, prefetch: Int = 2) -> LoaderConfiguration {
        LoaderConfiguration(imageSize: imageSize, batchSize: batchSize, augment: true, augmentation: augmentation,
                            shuffle: true, seed: seed, cache: cache, workers: workers, prefetch: prefetch)
    }

    /// YOLOv5 v7 validation: no augmentation, rect batches with pad 0.5, a fixed order.
    public static func validation(imageSize: Int, batchSize: Int, cache: ImageCacheMode = .ram, workers: Int = 1,
                                  prefetch: Int = 2, rect: Bool = true) -> LoaderConfiguration {
        LoaderConfiguration(imageSize: imageSize, batchSize: batchSize, augment: false, augmentation: .none,
                            shuffle: false, seed: 0, cache: cache, workers: workers, prefetch: prefetch, rect: rect,
                            rectPad: 0.5)
    }

    /// Why this configuration cannot be used, or nil.
    var invalidReason: String? {
        if stride <= 0 { return "stride must be positive, got \(stride)" }
        if imageSize <= 0 || imageSize % stride != 0 { return "image size \(imageSize) must be a positive multiple of \(stride)" }
        if batchSize <= 0 { return "batch size must be positive, got \(batchSize)" }
        if workers < 0 { return "workers must be 0 or more, got \(workers)" }
        if prefetch < 1 { return "prefetch must be at least 1, got \(prefetch)" }
        if shard.count > 1 && rect { return "rect batches cannot be split between \(shard.count) ranks" }
        return nil
    }
}

/// A loader configuration that cannot work (an image size that is not a multiple of the stride…).
public struct LoaderError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public var reason: String
    public var description: String { "batch loader: \(reason)" }
}
