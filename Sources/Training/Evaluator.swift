import NeuralCore
import YOLOv5

/// Validation results of one pass over the validation batches.
public struct ValidationResult: Sendable {
    public var metrics: DetectionMetrics
    /// Loss items (box, obj, cls) averaged over batches, as val.py reports them.
    public var box = 0.0, obj = 0.0, cls = 0.0
    /// AP@0.5, AP@0.5:0.95 and label count for every class index (NaN AP where the
    /// validation set has no label of that class).
    public var ap50PerClass: [Double] = [], ap50to95PerClass: [Double] = [], labelsPerClass: [Int] = []
    public var seconds = 0.0
    public var images = 0
}

/// YOLOv5 v7 val.py on the EMA model: eval-mode forward, the loss on the raw outputs, decode,
/// NMS (conf 0.001, IoU 0.6, multi-label, 300), predictions mapped back to original pixels
/// (minus the float pad, divided by the gain, clipped), matching at IoU 0.5:0.95, `ap_per_class`.
public struct Evaluator {
    public var nms = NonMaxSuppression()
    public let loss: DetectionLoss

    public init(loss: DetectionLoss) { self.loss = loss }

    public func evaluate(_ model: YOLOv5Model, batches: AnyIterator<TrainingBatch>) -> ValidationResult {
        let start = monotonicSeconds()
        var correct: [[Bool]] = [], scores: [Float] = [], classes: [Int] = [], labelClasses: [Int] = []
        var result = ValidationResult(metrics: DetectionMetrics())
        var batchCount = 0
        let nc = model.classCount
        while let batch = batches.next() {
            let raw = model.forward(batch.images, training: false, recordsForBackward: false)
            let items = loss(raw, targets: batch.targets, detect: model.detect)
            result.box += items.box; result.obj += items.obj; result.cls += items.cls
            batchCount += 1
            let decoded = model.detect.decode(raw)
            precondition(batch.info.count == batch.images.n, "Evaluator: \(batch.info.count) image infos for \(batch.images.n) images")
            for (i, info) in batch.info.enumerated() {
                let found = nms(decoded, image: i).map { mapBack($0, info) }
                correct += matchDetections(found, labels: info.labels)
                scores += found.map(\.score)
                classes += found.map(\.classIndex)
                labelClasses += info.labels.map(\.classIndex)
                result.images += 1
            }
        }
        if batchCount > 0 {
            result.box /= Double(batchCount); result.obj /= Double(batchCount); result.cls /= Double(batchCount)
        }
        result.metrics = averagePrecision(correct: correct, scores: scores, predictedClasses: classes, labelClasses: labelClasses)
        result.ap50PerClass = [Double](repeating: .nan, count: nc)
        result.ap50to95PerClass = [Double](repeating: .nan, count: nc)
        result.labelsPerClass = [Int](repeating: 0, count: nc)
        for (i, c) in result.metrics.classes.enumerated() where c < nc {
            result.ap50PerClass[c] = result.metrics.ap50[i]
            result.ap50to95PerClass[c] = result.metrics.ap50to95[i]
            result.labelsPerClass[c] = result.metrics.labelCounts[i]
        }
        result.seconds = monotonicSeconds() - start
        return result
    }

    /// val.py `scale_boxes`: subtract the pad, divide by the gain, clip to the original image.
    func mapBack(_ d: Detection, _ info: ImageInfo) -> Detection {
        let (w, h) = (Float(info.originalWidth), Float(info.originalHeight))
        func x(_ v: Float) -> Float { min(max((v - info.padX) / info.gain, 0), w) }
        func y(_ v: Float) -> Float { min(max((v - info.padY) / info.gain, 0), h) }
        return Detection(x1: x(d.x1), y1: y(d.y1), x2: x(d.x2), y2: y(d.y2), score: d.score, classIndex: d.classIndex)
    }
}
