import NeuralCore

/// A detection after NMS: corners in pixels of the network input, score obj·cls, class.
public struct Detection: Equatable, Sendable {
    public var x1: Float, y1: Float, x2: Float, y2: Float
    public var score: Float
    public var classIndex: Int

    public init(x1: Float, y1: Float, x2: Float, y2: Float, score: Float, classIndex: Int) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
        self.score = score
        self.classIndex = classIndex
    }
}

/// YOLOv5 v7 `non_max_suppression` (utils/general.py) as val.py calls it: multi-label,
/// class-aware through a coordinate offset of class·7680, greedy NMS as torchvision's CPU kernel,
/// at most `maxDetections` kept. The per-batch time limit is not applied.
public struct NonMaxSuppression: Sendable {
    public var confidenceThreshold: Float = 0.001
    public var iouThreshold: Float = 0.6
    public var maxDetections = 300
    /// YOLOv5's `max_nms`: candidates kept before NMS.
    public var maxCandidates = 30_000
    /// YOLOv5's `max_wh`: per-class offset that keeps classes apart.
    public static let classOffset: Float = 7680

    public init(confidenceThreshold: Float = 0.001, iouThreshold: Float = 0.6, maxDetections: Int = 300) {
        self.confidenceThreshold = confidenceThreshold
        self.iouThreshold = iouThreshold
        self.maxDetections = maxDetections
    }

    /// Detections of image `image` of decoded predictions [N, rows, 5 + nc] (cx, cy, w, h, obj,
    /// class scores per row), in descending score order.
    public func callAsFunction(_ predictions: Tensor, image: Int) -> [Detection] {
        precondition(predictions.shape.count == 3 && predictions.shape[2] > 5 && image < predictions.shape[0],
                     "NonMaxSuppression: predictions \(predictions.shape), image \(image)")
        let (rows, no) = (predictions.shape[1], predictions.shape[2])
        return withExtendedLifetime(predictions) {  // the rows are read through a raw pointer
            detections(rows: predictions.data + image * rows * no, count: rows, classCount: no - 5)
        }
    }

    /// Detections from `count` rows of 5 + nc values.
    func detections(rows: UnsafePointer<Float>, count: Int, classCount nc: Int) -> [Detection] {
        let no = nc + 5
        var candidates: [Detection] = []
        for r in 0..<count {
            let row = rows + r * no
            let objectness = row[4]
            guard objectness > confidenceThreshold else { continue }  // xc = obj > conf_thres
            let (x1, y1) = (row[0] - row[2] / 2, row[1] - row[3] / 2)  // xywh2xyxy
            let (x2, y2) = (row[0] + row[2] / 2, row[1] + row[3] / 2)
            for c in 0..<nc {
                let score = row[5 + c] * objectness  // conf = obj_conf · cls_conf, in Float32
                if score > confidenceThreshold {  // multi-label; with one class the same as its max
                    candidates.append(Detection(x1: x1, y1: y1, x2: x2, y2: y2, score: score, classIndex: c))
                }
            }
        }
        // Sort by score (descending) and keep max_nms; a stable sort keeps equal scores in row order.
        candidates = Array(stableSortedByScore(candidates).prefix(maxCandidates))
        let offsetBoxes = candidates.map { d -> (Float, Float, Float, Float) in
            let c = Float(d.classIndex) * Self.classOffset
            return (d.x1 + c, d.y1 + c, d.x2 + c, d.y2 + c)
        }
        let areas = offsetBoxes.map { ($0.2 - $0.0) * ($0.3 - $0.1) }
        var suppressed = [Bool](repeating: false, count: candidates.count)
        var kept: [Detection] = []
        for i in 0..<candidates.count where !suppressed[i] {
            kept.append(candidates[i])
            if kept.count == maxDetections { break }
            let a = offsetBoxes[i]
            for j in (i + 1)..<candidates.count where !suppressed[j] {
                let b = offsetBoxes[j]
                let w = max(0, min(a.2, b.2) - max(a.0, b.0))
                let h = max(0, min(a.3, b.3) - max(a.1, b.1))
                let inter = w * h
                if inter / (areas[i] + areas[j] - inter) > iouThreshold { suppressed[j] = true }
            }
        }
        return kept
    }

    /// Descending by score; ties keep their original order.
    func stableSortedByScore(_ detections: [Detection]) -> [Detection] {
        detections.enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }
}
