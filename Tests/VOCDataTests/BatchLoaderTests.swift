import Foundation
import NeuralCore
import Testing
@testable import VOCData

@Suite struct BatchLoaderTests {
    /// The tiny VOC dataset on disk (4 images, one difficult object).
    static func tiny(_ folder: TemporaryFolder, difficult: DifficultPolicy = .drop) throws -> DetectionDataset {
        try TinyDataset.writeVOC(in: folder)
        return try DatasetReader.load(folder.url.appendingPathComponent("voc"), split: .train,
                                      options: ReaderOptions(classNames: TinyDataset.names, difficult: difficult))
    }

    static let augmentation = AugmentationSettings(hsvH: 0.015, hsvS: 0.7, hsvV: 0.4, degrees: 5, translate: 0.1, scale: 0.5,
                                                   shear: 2, perspective: 0, flipUD: 0.3, flipLR: 0.5, mosaic: 0.8, mixup: 0.3)

    static func epoch(_ loader: BatchLoader, _ e: Int) -> [Batch] { Array(loader.epoch(e)) }

    @Test func batchesHaveTheRightShapesAndKeepTheLastPartialBatch() throws {
        let folder = try TemporaryFolder("shapes")
        let dataset = try Self.tiny(folder)
        let loader = try BatchLoader(dataset: dataset, configuration: .training(imageSize: 64, batchSize: 3,
                                                                                augmentation: Self.augmentation, seed: 1))
        #expect(loader.batchCount == 2)
        let batches = Self.epoch(loader, 0)
        #expect(batches.map(\.images.shape) == [[3, 3, 64, 64], [1, 3, 64, 64]])
        #expect(Set(batches.flatMap { $0.samples.map(\.datasetIndex) }) == [0, 1, 2, 3], "every image once per epoch")
        for batch in batches {
            #expect(batch.images.values.allSatisfy { $0 >= 0 && $0 <= 1 })
            for t in batch.targets {
                #expect(t.imageIndex >= 0 && t.imageIndex < batch.images.n)
                #expect(t.classIndex >= 0 && t.classIndex < 3)
                #expect([t.cx, t.cy, t.w, t.h].allSatisfy { $0 >= 0 && $0 <= 1 })
            }
        }
        #expect(batches.contains { !$0.targets.isEmpty })
    }

    @Test func batchesAreTheSameForAnyWorkerCountAndCache() throws {
        let folder = try TemporaryFolder("determinism")
        let dataset = try Self.tiny(folder)
        func run(workers: Int, cache: ImageCacheMode, seed: UInt64 = 7, epoch: Int = 0) throws -> [([Float], [Target], [Int])] {
            let configuration = LoaderConfiguration.training(imageSize: 64, batchSize: 2, augmentation: Self.augmentation,
                                                             seed: seed, cache: cache, workers: workers, prefetch: 1)
            return Self.epoch(try BatchLoader(dataset: dataset, configuration: configuration), epoch)
                .map { ($0.images.values, $0.targets, $0.samples.map(\.datasetIndex)) }
        }
        let reference = try run(workers: 0, cache: .none)
        for (workers, cache) in [(1, ImageCacheMode.none), (2, .ram), (3, .none)] {
            let other = try run(workers: workers, cache: cache)
            #expect(other.count == reference.count)
            for (a, b) in zip(reference, other) {
                #expect(a.0 == b.0 && a.1 == b.1 && a.2 == b.2, "workers \(workers), cache \(cache)")
            }
        }
        let nextEpoch = try run(workers: 1, cache: .none, epoch: 1)
        let otherSeed = try run(workers: 1, cache: .none, seed: 8)
        #expect(nextEpoch.map(\.0) != reference.map(\.0), "a new epoch draws new augmentations")
        #expect(otherSeed.map(\.0) != reference.map(\.0), "a new seed draws new augmentations")
    }

    @Test func validationUsesRectBatchesAndMapsBackToOriginalPixels() throws {
        let folder = try TemporaryFolder("rect")
        let dataset = try Self.tiny(folder, difficult: .keepFlagged)
        let loader = try BatchLoader(dataset: dataset, configuration: .validation(imageSize: 64, batchSize: 2, workers: 1))
        let batches = Self.epoch(loader, 0)
        // Sorted by h/w: a004 (0.8), a001 (0.75)… → [a001 0.75, a004 0.8], [a003 1, a002 1.33].
        #expect(batches.map { $0.samples.map(\.datasetIndex) } == [[0, 3], [2, 1]])
        // v7 rect shapes with pad 0.5: 32·ceil([0.8, 1]·64/32 + 0.5) = [96, 96]; [1, 1] → [96, 96].
        #expect(batches.map(\.images.shape) == [[2, 3, 96, 96], [2, 3, 96, 96]])
        #expect(Self.epoch(loader, 3).map { $0.samples.map(\.datasetIndex) } == [[0, 3], [2, 1]], "fixed order")
        for batch in batches {
            for (n, info) in batch.samples.enumerated() {
                #expect(!info.isMosaic)
                let sample = dataset.samples[info.datasetIndex]
                #expect(info.labels == sample.objects, "evaluation labels keep difficult objects, flagged")
                let targets = batch.targets.filter { $0.imageIndex == n }
                #expect(targets.count == sample.trainingObjects.count, "difficult objects never become targets")
                let (w, h) = (Float(batch.images.w), Float(batch.images.h))
                for (t, object) in zip(targets, sample.trainingObjects) {
                    let back = info.toOriginal(BoxXYXY(cx: t.cx * w, cy: t.cy * h, w: t.w * w, h: t.h * h))
                    // Only float rounding and the 1e-3 px clip separate the round trip from the label.
                    for (a, b) in [(back.x1, object.box.x1), (back.y1, object.box.y1), (back.x2, object.box.x2), (back.y2, object.box.y2)] {
                        #expect(abs(a - b) < 0.01, "\(back) vs \(object.box)")
                    }
                }
            }
        }
    }

    @Test func trainingBoxesFollowThePixelsThroughTheWholePipeline() throws {
        let folder = try TemporaryFolder("pipeline")
        let red: (UInt8, UInt8, UInt8) = (230, 30, 30)
        try folder.write(JPEG.encode(makeImage(width: 64, height: 48, rectangles: [(20, 14, 44, 34, red)]), quality: 98),
                         to: "yolo/images/train/only.jpg")
        // The box of pixels [20, 44) × [14, 34) in normalised YOLO form.
        try folder.write("0 0.5 0.5 0.375 0.41666667\n", to: "yolo/labels/train/only.txt")
        let dataset = try DatasetReader.load(folder.url.appendingPathComponent("yolo"), split: .train,
                                             options: ReaderOptions(classNames: ["thing"]))
        let settings = AugmentationSettings(hsvH: 0, hsvS: 0, hsvV: 0, degrees: 0, translate: 0.1, scale: 0.5, shear: 0,
                                            perspective: 0, flipUD: 0.5, flipLR: 0.5, mosaic: 1, mixup: 0)
        let loader = try BatchLoader(dataset: dataset, configuration: .training(imageSize: 64, batchSize: 1,
                                                                                augmentation: settings, seed: 3, workers: 0))
        var checked = 0
        for e in 0..<6 {
            for batch in loader.epoch(e) {
                let image = tensorImage(batch.images)
                for t in batch.targets {
                    let box = BoxXYXY(cx: t.cx * 64, cy: t.cy * 64, w: t.w * 64, h: t.h * 64)
                    // Copies of the rectangle in a mosaic are ≥ 8 px apart, so a 3 px window sees one.
                    var crop = image
                    for y in 0..<64 {
                        for x in 0..<64 where !(Float(x) >= box.x1 - 3 && Float(x) < box.x2 + 3 && Float(y) >= box.y1 - 3 && Float(y) < box.y2 + 3) {
                            crop[x, y] = (0, 0, 0)
                        }
                    }
                    AugmentationTests.expectMatches(box, pixelExtent(crop, AugmentationTests.isRed), tolerance: 1.5)
                    checked += 1
                }
            }
        }
        #expect(checked >= 6)
    }

    @Test func anImageThatFailsToDecodeIsReplacedAndReported() throws {
        let folder = try TemporaryFolder("late")
        let dataset = try Self.tiny(folder)
        // Damage a file after the dataset was read (its header was fine then).
        let path = dataset.samples[0].imagePath
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data = data.prefix(data.count / 2)
        try data.write(to: URL(fileURLWithPath: path))
        let loader = try BatchLoader(dataset: dataset, configuration: .validation(imageSize: 64, batchSize: 4, cache: .ram))
        let batch = try #require(Self.epoch(loader, 0).first)
        #expect(loader.problems.count == 1)
        #expect(loader.problems.first?.file == path && loader.problems.first?.kind == .corruptImage)
        let n = try #require(batch.samples.firstIndex { $0.datasetIndex == 0 })
        #expect(batch.targets.allSatisfy { $0.imageIndex != n }, "the replaced image has no labels")
        #expect(batch.samples[n].labels.isEmpty)
    }

    @Test func consumerWaitIsMeasuredAndBadConfigurationsAreRefused() throws {
        let folder = try TemporaryFolder("wait")
        let dataset = try Self.tiny(folder)
        let loader = try BatchLoader(dataset: dataset, configuration: .training(imageSize: 64, batchSize: 1,
                                                                                augmentation: Self.augmentation, seed: 0))
        let iterator = loader.makeIterator(epoch: 0)
        var count = 0
        while iterator.next() != nil { count += 1 }
        #expect(count == 4 && iterator.delivered == 4 && iterator.next() == nil)
        #expect(iterator.waitSeconds >= 0 && iterator.waitSeconds < 60)
        // Abandoning an epoch part-way stops its workers; the next epoch starts cleanly.
        let loader2 = try BatchLoader(dataset: dataset, configuration: .training(imageSize: 64, batchSize: 1,
                                                                                 augmentation: Self.augmentation, seed: 0, workers: 2))
        do {
            let abandoned = loader2.makeIterator(epoch: 0)
            #expect(abandoned.next()?.index == 0)
        }
        #expect(Self.epoch(loader2, 1).map(\.index) == [0, 1, 2, 3])
        #expect(throws: LoaderError.self) {
            _ = try BatchLoader(dataset: dataset, configuration: .training(imageSize: 100, batchSize: 2, augmentation: .none, seed: 0))
        }
        #expect(throws: LoaderError.self) {
            _ = try BatchLoader(dataset: dataset, configuration: .training(imageSize: 64, batchSize: 0, augmentation: .none, seed: 0))
        }
    }
}

/// Image `0` of an NCHW batch back as 8-bit RGB.
func tensorImage(_ t: Tensor, index n: Int = 0) -> RGBImage {
    let (h, w) = (t.h, t.w)
    var image = RGBImage(width: w, height: h, fill: 0)
    for y in 0..<h {
        for x in 0..<w {
            let p = { (c: Int) in UInt8((t[n, c, y, x] * 255).rounded()) }
            image[x, y] = (p(0), p(1), p(2))
        }
    }
    return image
}
