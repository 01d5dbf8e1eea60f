import Training
import VOCData
import YOLOv5

/// A `VOCData.BatchLoader` as the trainer's `BatchSource`: batches converted to the trainer's
/// types (the trainer times its own waits for the next batch).
final class LoaderBatches: BatchSource {
    let loader: BatchLoader

    init(_ loader: BatchLoader) { self.loader = loader }

    var batchesPerEpoch: Int { loader.batchCount }
    var imageCount: Int { loader.dataset.samples.count }

    func batches(epoch: Int) -> AnyIterator<TrainingBatch> {
        let iterator = loader.makeIterator(epoch: epoch)
        return AnyIterator { iterator.next().map(Self.convert) }
    }

    static func convert(_ batch: Batch) -> TrainingBatch {
        let targets = batch.targets.map {
            DetectionTarget(image: $0.imageIndex, classIndex: $0.classIndex, x: $0.cx, y: $0.cy, w: $0.w, h: $0.h)
        }
        // val.py maps predictions back with one gain (h/h0) for both axes and the float pad.
        let info = batch.samples.map { sample in
            Training.ImageInfo(originalWidth: sample.originalWidth, originalHeight: sample.originalHeight, gain: sample.gain,
                               padX: sample.padX, padY: sample.padY,
                               labels: sample.labels.filter { !$0.difficult }.map {
                                   LabeledBox(classIndex: $0.classIndex, x1: $0.box.x1, y1: $0.box.y1, x2: $0.box.x2, y2: $0.box.y2)
                               })
        }
        return TrainingBatch(images: batch.images, targets: targets, info: info)
    }
}
