import ArgumentParser
import Foundation
import VOCData

/// `freeze-bench loader`: images per second the batch loader delivers at 320 px with mosaic, and
/// the time to generate the synthetic VOC it reads.
struct LoaderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loader",
        abstract: "Synthetic VOC generation time and batch-loader images/s (mosaic on).")

    @Option(help: "A dataset to read (VOCdevkit, YOLO folder or data YAML); default: generate a synthetic VOC.")
    var data: String?
    @Option(help: "Images of the generated synthetic VOC.")
    var images: Int = 2000
    @Option(help: "Network input size.")
    var imageSize: Int = 320
    @Option(help: "Images per batch.")
    var batchSize: Int = 16
    @Option(help: "Background worker threads.")
    var workers: Int = 1
    @Option(help: "Keep decoded images in RAM or decode every time.")
    var cache: ImageCacheMode = .ram
    @Option(help: "Augmentation: scratch-low (v7 default) or finetune (the guide's, with mixup 0.243).")
    var hyp: Augmentation = .scratchLow
    @Option(help: "Epochs to time.")
    var epochs: Int = 2
    @Option(help: "Simulate a trainer that computes at this many images/s (busy core), 0 = consume at once.")
    var trainerImagesPerSecond: Double = 0

    /// The augmentation settings `--hyp` names.
    enum Augmentation: String, CaseIterable, ExpressibleByArgument {
        case scratchLow = "scratch-low", finetune

        var settings: AugmentationSettings { self == .finetune ? .finetune : .scratchLow }
    }

    func run() throws {
        var temporary: URL?
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let location: URL
        if let data {
            location = URL(fileURLWithPath: data)
        } else {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("freeze-bench-loader-\(UUID().uuidString)")
            temporary = out
            let summary = try SyntheticVOC.generate(.init(task: .voc, images: images, seed: 0, imageSize: imageSize), to: out)
            print(String(format: "synthetic VOC: %d images at %d px (%d objects) in %.1f s = %.0f images/s",
                         images, imageSize, summary.objects, summary.seconds, Double(images) / summary.seconds))
            location = out
        }
        var start = Date()
        let dataset = try DatasetReader.load(location, split: .train)
        print(String(format: "read %d training images in %.2f s (%d problems)", dataset.samples.count,
                     Date().timeIntervalSince(start), dataset.problems.count))
        let settings = hyp.settings
        start = Date()
        let loader = try BatchLoader(dataset: dataset, configuration: .training(
            imageSize: imageSize, batchSize: batchSize, augmentation: settings, seed: 0, cache: cache,
            workers: workers, prefetch: max(2, workers + 1)))
        print(String(format: "loader ready (cache %@) in %.2f s", cache.rawValue, Date().timeIntervalSince(start)))
        var totalImages = 0, totalSeconds = 0.0, totalWait = 0.0
        let cpuStart = processCPUSeconds()
        for epoch in 0..<epochs {
            let iterator = loader.makeIterator(epoch: epoch)
            var count = 0
            let epochStart = Date()
            while let batch = iterator.next() {
                count += batch.images.n
                if trainerImagesPerSecond > 0 { spin(seconds: Double(batch.images.n) / trainerImagesPerSecond) }
            }
            let seconds = Date().timeIntervalSince(epochStart)
            print(String(format: "epoch %d: %d images in %.2f s = %.0f images/s, consumer waited %.2f s (%.0f %%)",
                         epoch, count, seconds, Double(count) / seconds, iterator.waitSeconds, 100 * iterator.waitSeconds / seconds))
            totalImages += count
            totalSeconds += seconds
            totalWait += iterator.waitSeconds
        }
        let cpuSeconds = processCPUSeconds() - cpuStart
        print(String(format: "loader: %.0f images/s at %d px, mosaic %.2f, mixup %.3f, batch %d, %d worker thread(s), cache %@; "
                     + "%.0f images per CPU-second (%.2f ms of CPU per image)",
                     Double(totalImages) / totalSeconds, imageSize, settings.mosaic, settings.mixup, batchSize, workers, cache.rawValue,
                     Double(totalImages) / cpuSeconds, 1000 * cpuSeconds / Double(totalImages))
              + (trainerImagesPerSecond > 0 ? String(format: "; trainer at %.0f images/s waited %.1f %% of the time",
                                                     trainerImagesPerSecond, 100 * totalWait / totalSeconds) : ""))
    }

    /// User + system CPU seconds of the whole process so far.
    private func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Keeps this core busy for `seconds`, as a trainer's compute would.
    private func spin(seconds: Double) {
        let end = Date().addingTimeInterval(seconds)
        var x = 0.0
        while Date() < end { for i in 0..<1000 { x += Double(i).squareRoot() } }
        if x < 0 { print(x) }
    }
}

/// `--cache ram|none`.
extension ImageCacheMode: ExpressibleByArgument {}
