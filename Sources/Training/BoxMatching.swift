import YOLOv5

/// A labelled box in original-image pixels (corners).
public struct LabeledBox: Equatable, Sendable {
    public var classIndex: Int
    public var x1: Float, y1: Float, x2: Float, y2: Float

    public init(classIndex: Int, x1: Float, y1: Float, x2: Float, y2: Float) {
        self.classIndex = classIndex
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }
}

/// The IoU thresholds 0.50, 0.55, …, 0.95 as `torch.linspace(0.5, 0.95, 10)` gives them in Float32.
public let iouThresholds: [Float] = (0..<10).map { Float(0.5 + Double($0) * 0.45 / 9) }

/// YOLOv5's `box_iou` (utils/metrics.py) for one pair, in Float32 with ε = 1e-7.
@inline(__always)
func boxIoU(_ a: (Float, Float, Float, Float), _ b: (Float, Float, Float, Float)) -> Float {
    let w = max(min(a.2, b.2) - max(a.0, b.0), 0)
    let h = max(min(a.3, b.3) - max(a.1, b.1), 0)
    let inter = w * h
    return inter / ((a.2 - a.0) * (a.3 - a.1) + (b.2 - b.0) * (b.3 - b.1) - inter + 1e-7)
}

/// val.py `process_batch` (v7): which detections are true positives at each IoU threshold.
///
/// For each threshold separately: pairs (label, detection) of one class with IoU ≥ threshold,
/// sorted by IoU (highest first); each detection keeps its best pair; of those, each label
/// keeps the pair with the lowest detection index (the highest score). Returns
/// [detections][thresholds].
public func matchDetections(_ detections: [Detection], labels: [LabeledBox]) -> [[Bool]] {
    var correct = [[Bool]](repeating: [Bool](repeating: false, count: iouThresholds.count), count: detections.count)
    guard !detections.isEmpty, !labels.isEmpty else { return correct }
    var ious = [[Float]](repeating: [], count: labels.count)
    for (l, label) in labels.enumerated() {
        ious[l] = detections.map { boxIoU((label.x1, label.y1, label.x2, label.y2), ($0.x1, $0.y1, $0.x2, $0.y2)) }
    }
    for (t, threshold) in iouThresholds.enumerated() {
        var pairs: [(label: Int, detection: Int, iou: Float)] = []
        for (l, label) in labels.enumerated() {
            for (d, detection) in detections.enumerated() where ious[l][d] >= threshold && label.classIndex == detection.classIndex {
                pairs.append((l, d, ious[l][d]))
            }
        }
        if pairs.count > 1 {
            // `argsort()[::-1]`: ascending (numpy sorts small arrays stably), then reversed, so
            // equal IoUs come in reverse label-major order. `np.unique(..., return_index=True)`
            // then keeps each key's first row.
            pairs = pairs.enumerated().sorted { a, b in
                a.element.iou != b.element.iou ? a.element.iou > b.element.iou : a.offset > b.offset
            }.map(\.element)
            var bestPerDetection: [Int: (label: Int, detection: Int, iou: Float)] = [:]
            for pair in pairs where bestPerDetection[pair.detection] == nil { bestPerDetection[pair.detection] = pair }
            let byDetection = bestPerDetection.values.sorted { $0.detection < $1.detection }
            var firstPerLabel: [Int: (label: Int, detection: Int, iou: Float)] = [:]
            for pair in byDetection where firstPerLabel[pair.label] == nil { firstPerLabel[pair.label] = pair }
            pairs = Array(firstPerLabel.values)
        }
        for pair in pairs { correct[pair.detection][t] = true }
    }
    return correct
}
