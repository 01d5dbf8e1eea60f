import Foundation
import NeuralCore
import Synchronization

/// Whether decoded images are kept in memory between epochs (YOLOv5's `--cache`).
public enum ImageCacheMode: String, Sendable, CaseIterable {
    /// Decode every image each time it is used.
    case none
    /// Decode and resize every image once, when the loader is made, and keep it in RAM as UInt8.
    case ram
}

/// An image as the pipeline starts from it: resized so that its long side is the image size
/// (YOLOv5's `load_image`), with the size of the file it came from.
struct LoadedImage {
    var image: RGBImage
    var originalWidth: Int
    var originalHeight: Int
    /// The file could not be decoded; `image` is grey and the sample has no labels.
    var failed = false
}

/// Loads dataset images resized to the loader's image size, from RAM when cached. A file that fails
/// to decode is reported once and replaced by a grey image of its size, so a worker never crashes.
final class ImageStore: @unchecked Sendable {
    private let samples: [DatasetSample]
    private let imageSize: Int
    private let augment: Bool
    private var cached: [LoadedImage?]
    private let problemLog = Mutex<(indices: Set<Int>, problems: [DataProblem])>(([], []))

    /// A store; with `.ram` every image is decoded now, on all cores.
    init(samples: [DatasetSample], imageSize: Int, augment: Bool, cache: ImageCacheMode) {
        self.samples = samples
        self.imageSize = imageSize
        self.augment = augment
        cached = []
        guard cache == .ram else { return }
        let slots = UnsafeMutableBufferPointer<LoadedImage?>.allocate(capacity: samples.count)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        DispatchQueue.concurrentPerform(iterations: computeCores) { worker in
            var i = worker
            while i < samples.count {
                slots[i] = load(i)
                i += computeCores
            }
        }
        cached = Array(slots)
    }

    /// Problems met while decoding, in index order.
    var problems: [DataProblem] { problemLog.withLock { $0.problems } }

    /// The resized image of sample `index`.
    func image(_ index: Int) -> LoadedImage {
        if !cached.isEmpty, let image = cached[index] { return image }
        return load(index)
    }

    private func load(_ index: Int) -> LoadedImage {
        let sample = samples[index]
        let decoded: RGBImage
        do {
            decoded = try JPEG.decode(contentsOf: URL(fileURLWithPath: sample.imagePath))
        } catch {
            report(index, DataProblem(file: sample.imagePath, kind: .corruptImage,
                                      reason: "\((error as? JPEGError)?.reason ?? "\(error)"); a grey background image is used instead",
                                      skipped: true))
            let (w, h) = resizedSize(width: sample.width, height: sample.height)
            return LoadedImage(image: RGBImage(width: w, height: h, fill: paddingGrey),
                               originalWidth: sample.width, originalHeight: sample.height, failed: true)
        }
        let (w, h) = resizedSize(width: decoded.width, height: decoded.height)
        let r = Double(imageSize) / Double(max(decoded.width, decoded.height))
        // YOLOv5: linear when augmenting or enlarging, area when shrinking for validation.
        let method: ImageResize.Method = (augment || r > 1) ? .linear : .area
        return LoadedImage(image: ImageResize.resize(decoded, width: w, height: h, method: method),
                           originalWidth: decoded.width, originalHeight: decoded.height)
    }

    /// v7 `load_image`: r = size / max(h0, w0); resized to ceil(w0·r) × ceil(h0·r) when r ≠ 1.
    func resizedSize(width: Int, height: Int) -> (Int, Int) {
        let r = Double(imageSize) / Double(max(width, height))
        guard r != 1 else { return (width, height) }
        return (min(max(Int((Double(width) * r).rounded(.up)), 1), imageSize),
                min(max(Int((Double(height) * r).rounded(.up)), 1), imageSize))
    }

    private func report(_ index: Int, _ problem: DataProblem) {
        problemLog.withLock { log in
            if log.indices.insert(index).inserted { log.problems.append(problem) }
        }
    }
}
