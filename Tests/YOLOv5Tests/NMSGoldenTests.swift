import Foundation
import NeuralCore
import TestSupport
import Testing
import YOLOv5

struct NMSGolden: Decodable {
    struct Case: Decodable {
        let note: String
        let nc: Int
        let pred: [[[Float]]]?
        let output_per_image: [[[Float]]]
    }
    let nms: [Case]
}

@Suite struct NMSGoldenTests {
    func check(_ detections: [Detection], _ expected: [[Float]], _ label: String) {
        #expect(detections.count == expected.count, "\(label): \(detections.count) kept, PyTorch \(expected.count)")
        for (d, e) in zip(detections, expected) {
            // Same Float32 inputs and arithmetic: boxes and scores equal bit for bit or within 1 ulp.
            let row: [Float] = [d.x1, d.y1, d.x2, d.y2, d.score, Float(d.classIndex)]
            let close = closeness(row, e, absolute: 1e-5, relative: 1e-6)
            #expect(close.passes, "\(label): \(row) vs \(e)")
        }
    }

    @Test func handMadeCase() throws {
        let golden = try Fixtures.json("map-golden.json", as: NMSGolden.self).nms[0]
        let rows = try #require(golden.pred)[0].flatMap { $0 }
        let predictions = Tensor(shape: [1, rows.count / (golden.nc + 5), golden.nc + 5], values: rows)
        let kept = NonMaxSuppression()(predictions, image: 0)
        check(kept, golden.output_per_image[0], golden.note)
    }

    @Test func goldenModelOutputs() throws {
        let golden = try Fixtures.json("map-golden.json", as: NMSGolden.self).nms[1]
        let out = try GoldenFile().tensor("eval/out")  // [2, 1575, 25]
        for image in 0..<2 {
            let kept = NonMaxSuppression()(out, image: image)
            check(kept, golden.output_per_image[image], "image \(image)")
        }
    }
}
