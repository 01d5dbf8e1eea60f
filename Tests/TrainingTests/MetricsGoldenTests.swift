import Foundation
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// `map-golden.json`: val.py's matching and `ap_per_class` on hand-made images (fixtures README §4).
struct MapGolden: Decodable {
    struct Image: Decodable {
        let id: Int
        let note: String
        let labels: [[Double]]       // [class, x1, y1, x2, y2]
        let predictions: [[Double]]  // [x1, y1, x2, y2, conf, class]
        let correct: [[Int]]
    }
    struct PerClass: Decodable {
        let n_labels: Int
        let ap50: Double, ap50_95: Double
        let ap_per_iou: [Double]
        let p: Double, r: Double, f1: Double, tp: Double, fp: Double
    }
    struct Map: Decodable {
        let iouv_float32: [Float]
        let images: [Image]
        let ap_class: [Int]
        let per_class: [String: PerClass]
        let mp: Double, mr: Double, map50: Double, map50_95: Double
        let max_f1_index: Int
    }
    let map: Map
}

@Suite struct MetricsGoldenTests {
    @Test func thresholdsAreTorchLinspace() throws {
        let golden = try Fixtures.json("map-golden.json", as: MapGolden.self)
        #expect(iouThresholds == golden.map.iouv_float32)
    }

    @Test func matchingEqualsProcessBatch() throws {
        let golden = try Fixtures.json("map-golden.json", as: MapGolden.self)
        for image in golden.map.images {
            let correct = matchDetections(detections(image), labels: labels(image))
            #expect(correct.map { $0.map { $0 ? 1 : 0 } } == image.correct, "image \(image.id): \(image.note)")
        }
    }

    @Test func averagePrecisionEqualsAPPerClass() throws {
        let golden = try Fixtures.json("map-golden.json", as: MapGolden.self).map
        var correct: [[Bool]] = [], scores: [Float] = [], classes: [Int] = [], labelClasses: [Int] = []
        for image in golden.images {
            let found = detections(image)
            correct += matchDetections(found, labels: labels(image))
            scores += found.map(\.score)
            classes += found.map(\.classIndex)
            labelClasses += labels(image).map(\.classIndex)
        }
        let metrics = averagePrecision(correct: correct, scores: scores, predictedClasses: classes, labelClasses: labelClasses)
        #expect(metrics.classes == golden.ap_class)
        #expect(metrics.maxF1Index == golden.max_f1_index)
        // The same float64 arithmetic as numpy, in the same order: differences are rounding only.
        let tolerance = 1e-12
        for (i, c) in metrics.classes.enumerated() {
            let expected = try #require(golden.per_class["\(c)"])
            #expect(metrics.labelCounts[i] == expected.n_labels)
            for (a, e) in zip(metrics.apPerThreshold[i], expected.ap_per_iou) { #expect(abs(a - e) < tolerance, "class \(c) AP \(a) vs \(e)") }
            #expect(abs(metrics.ap50[i] - expected.ap50) < tolerance && abs(metrics.ap50to95[i] - expected.ap50_95) < tolerance)
            #expect(abs(metrics.precision[i] - expected.p) < tolerance && abs(metrics.recall[i] - expected.r) < tolerance, "class \(c) P/R")
            #expect(abs(metrics.f1[i] - expected.f1) < tolerance)
            #expect(metrics.truePositives[i] == expected.tp && metrics.falsePositives[i] == expected.fp, "class \(c) TP/FP")
        }
        #expect(abs(metrics.meanPrecision - golden.mp) < tolerance && abs(metrics.meanRecall - golden.mr) < tolerance)
        #expect(abs(metrics.map50 - golden.map50) < tolerance && abs(metrics.map50to95 - golden.map50_95) < tolerance)
    }

    func detections(_ image: MapGolden.Image) -> [Detection] {
        image.predictions.map {
            Detection(x1: Float($0[0]), y1: Float($0[1]), x2: Float($0[2]), y2: Float($0[3]), score: Float($0[4]), classIndex: Int($0[5]))
        }
    }

    func labels(_ image: MapGolden.Image) -> [LabeledBox] {
        image.labels.map { LabeledBox(classIndex: Int($0[0]), x1: Float($0[1]), y1: Float($0[2]), x2: Float($0[3]), y2: Float($0[4])) }
    }
}
