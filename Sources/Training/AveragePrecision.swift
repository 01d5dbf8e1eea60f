import Foundation

/// Per-class and mean detection metrics, as YOLOv5 v7's `ap_per_class` (utils/metrics.py).
public struct DetectionMetrics: Equatable, Sendable {
    /// Classes present in the labels, ascending (classes with predictions only are ignored).
    public var classes: [Int] = []
    /// AP per class at each IoU threshold [classes][10].
    public var apPerThreshold: [[Double]] = []
    /// Precision, recall and F1 per class at the confidence of the maximal smoothed mean F1.
    public var precision: [Double] = [], recall: [Double] = [], f1: [Double] = []
    /// True and false positives per class at that confidence (`(r·nt).round()`, …).
    public var truePositives: [Double] = [], falsePositives: [Double] = []
    /// Labels per class.
    public var labelCounts: [Int] = []
    /// Index into the 1000-point confidence grid where P and R are read.
    public var maxF1Index = 0

    public var ap50: [Double] { apPerThreshold.map { $0[0] } }
    public var ap50to95: [Double] { apPerThreshold.map { $0.reduce(0, +) / Double($0.count) } }
    public var meanPrecision: Double { mean(precision) }
    public var meanRecall: Double { mean(recall) }
    public var map50: Double { mean(ap50) }
    public var map50to95: Double { mean(ap50to95) }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
}

/// YOLOv5's `ap_per_class`: `correct` [detections][10] (from `matchDetections`), their scores
/// and classes over the whole validation set, and the class of every label.
public func averagePrecision(correct: [[Bool]], scores: [Float], predictedClasses: [Int], labelClasses: [Int]) -> DetectionMetrics {
    let eps = 1e-16
    let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    let tp = order.map { correct[$0] }, conf = order.map { Double(scores[$0]) }, cls = order.map { predictedClasses[$0] }
    let counts = Dictionary(labelClasses.map { ($0, 1) }, uniquingKeysWith: +)
    var metrics = DetectionMetrics()
    metrics.classes = counts.keys.sorted()
    metrics.labelCounts = metrics.classes.map { counts[$0]! }
    let grid = linspace(0, 1, 1000)
    let thresholds = iouThresholds.count
    var pCurves: [[Double]] = [], rCurves: [[Double]] = []
    for (ci, c) in metrics.classes.enumerated() {
        let members = cls.indices.filter { cls[$0] == c }
        let nLabels = Double(metrics.labelCounts[ci])
        var ap = [Double](repeating: 0, count: thresholds)
        var pCurve = [Double](repeating: 0, count: grid.count), rCurve = [Double](repeating: 0, count: grid.count)
        if !members.isEmpty {
            let negativeConf = members.map { -conf[$0] }
            for t in 0..<thresholds {
                var tpc = 0.0, fpc = 0.0
                var recall: [Double] = [], precision: [Double] = []
                for i in members {
                    if tp[i][t] { tpc += 1 } else { fpc += 1 }
                    recall.append(tpc / (nLabels + eps))
                    precision.append(tpc / (tpc + fpc))
                }
                if t == 0 {
                    rCurve = grid.map { interpolate(-$0, negativeConf, recall, left: 0) }
                    pCurve = grid.map { interpolate(-$0, negativeConf, precision, left: 1) }
                }
                ap[t] = computeAP(recall: recall, precision: precision)
            }
        }
        metrics.apPerThreshold.append(ap)
        pCurves.append(pCurve)
        rCurves.append(rCurve)
    }
    guard !metrics.classes.isEmpty else { return metrics }
    let f1Curves = zip(pCurves, rCurves).map { p, r in zip(p, r).map { 2 * $0 * $1 / ($0 + $1 + eps) } }
    let meanF1 = (0..<grid.count).map { i in f1Curves.reduce(0) { $0 + $1[i] } / Double(f1Curves.count) }
    let smoothed = smooth(meanF1, fraction: 0.1)
    let best = smoothed.indices.max { smoothed[$0] < smoothed[$1] || (smoothed[$0] == smoothed[$1] && $0 > $1) }!
    metrics.maxF1Index = best
    metrics.precision = pCurves.map { $0[best] }
    metrics.recall = rCurves.map { $0[best] }
    metrics.f1 = f1Curves.map { $0[best] }
    metrics.truePositives = zip(metrics.recall, metrics.labelCounts).map { ($0 * Double($1)).rounded(.toNearestOrEven) }
    metrics.falsePositives = zip(metrics.truePositives, metrics.precision).map { ($0 / ($1 + eps) - $0).rounded(.toNearestOrEven) }
    return metrics
}

/// `compute_ap`: sentinels (0, 1) and (1, 0), the precision envelope, then the trapezoid rule
/// over `np.interp` at 101 recall points.
func computeAP(recall: [Double], precision: [Double]) -> Double {
    let mrec = [0.0] + recall + [1.0]
    var mpre = [1.0] + precision + [0.0]
    for i in stride(from: mpre.count - 2, through: 0, by: -1) { mpre[i] = max(mpre[i], mpre[i + 1]) }
    let x = linspace(0, 1, 101)
    let y = x.map { interpolate($0, mrec, mpre, left: mpre[0]) }
    var area = 0.0
    for i in 1..<x.count { area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2 }  // np.trapz
    return area
}

/// `np.linspace(start, stop, n)`: start + k·step, with the last value exactly `stop`.
func linspace(_ start: Double, _ stop: Double, _ n: Int) -> [Double] {
    let step = (stop - start) / Double(n - 1)
    return (0..<n).map { $0 == n - 1 ? stop : start + Double($0) * step }
}

/// `np.interp(x, xp, fp, left=left)` for increasing `xp` (ties allowed); right of the range
/// it returns the last value.
func interpolate(_ x: Double, _ xp: [Double], _ fp: [Double], left: Double) -> Double {
    guard let first = xp.first, let last = xp.last else { return left }
    if x < first { return left }
    if x >= last { return fp[fp.count - 1] }
    // The last j with xp[j] ≤ x (so xp[j + 1] > x).
    var low = 0, high = xp.count - 1
    while high - low > 1 {
        let mid = (low + high) / 2
        if xp[mid] <= x { low = mid } else { high = mid }
    }
    let slope = (fp[low + 1] - fp[low]) / (xp[low + 1] - xp[low])
    return slope * (x - xp[low]) + fp[low]
}

/// YOLOv5's `smooth(y, f)`: a box filter of round(n·f·2)/2·2 + 1 taps with edge padding.
func smooth(_ y: [Double], fraction f: Double) -> [Double] {
    let taps = Int((Double(y.count) * f * 2).rounded(.toNearestOrEven)) / 2 + 1
    let pad = taps / 2
    let padded = [Double](repeating: y[0], count: pad) + y + [Double](repeating: y[y.count - 1], count: pad)
    let weight = 1 / Double(taps)
    return (0..<y.count).map { i in
        var sum = 0.0
        for k in 0..<taps { sum += padded[i + k] * weight }
        return sum
    }
}
