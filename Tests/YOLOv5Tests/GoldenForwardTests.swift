import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// yolov5n (nc 20) with the golden weights loaded.
func goldenModel(_ golden: GoldenFile) throws -> YOLOv5Model {
    let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 20)
    let report = model.load(stateDict: try golden.parameters())
    #expect(report.loaded.count == 292 && report.kept.isEmpty && report.unused.isEmpty, "\(report.kept) \(report.unused)")
    return model
}

@Suite struct GoldenForwardTests {
    @Test func evalOutputsMatchPyTorch() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        let raw = model.forward(try golden.tensor("input"), training: false, recordsForBackward: false)
        for level in 0..<3 {
            // Fixtures README: float64 lands 1.4e-4 from the float32 golden logits (up to ~14);
            // 1e-3 + 1e-3·|ref| is about 3× that. An indexing error shows as O(1).
            let close = closeness(pytorchLayout(raw[level], anchors: 3), try golden.tensor("eval/raw\(level)").values,
                                  absolute: 1e-3, relative: 1e-3)
            #expect(close.passes, "eval raw\(level): \(close)")
        }
        let decoded = model.detect.decode(raw)
        let expected = try golden.tensor("eval/out")
        #expect(decoded.shape == [2, 1575, 25])
        var boxes: ([Float], [Float]) = ([], []), scores: ([Float], [Float]) = ([], [])
        for row in 0..<(2 * 1575) {
            for k in 0..<25 {
                let pair = (decoded.data[row * 25 + k], expected.data[row * 25 + k])
                if k < 4 { boxes.0.append(pair.0); boxes.1.append(pair.1) } else { scores.0.append(pair.0); scores.1.append(pair.1) }
            }
        }
        // Pixels up to 1279: float64 differs by 2e-2 at most; the README's 2e-3 + 2e-4·|ref|.
        let boxClose = closeness(boxes.0, boxes.1, absolute: 2e-3, relative: 2e-4)
        #expect(boxClose.passes, "eval boxes: \(boxClose)")
        let scoreClose = closeness(scores.0, scores.1, absolute: 1e-4)
        #expect(scoreClose.passes, "eval scores: \(scoreClose)")
    }

    @Test func trainOutputsAndRunningStatisticsMatchPyTorch() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        let raw = model.forward(try golden.tensor("input"), training: true, recordsForBackward: false)
        for level in 0..<3 {
            let close = closeness(pytorchLayout(raw[level], anchors: 3), try golden.tensor("train/raw\(level)").values,
                                  absolute: 1e-3, relative: 1e-3)
            #expect(close.passes, "train raw\(level): \(close)")
        }
        let after = try golden.file.root.group("train/bn_after")
        let batchNorms = model.namedBatchNorms
        #expect(batchNorms.count == 57)
        for (name, bn) in batchNorms {
            // 0.97·old + 0.03·batch (unbiased): float64 differs by 2.2e-7; 1e-5 + 1e-4·|ref|.
            let mean = closeness(bn.runningMean.values, try after.tensor("\(name).running_mean").values, absolute: 1e-5, relative: 1e-4)
            let variance = closeness(bn.runningVariance.values, try after.tensor("\(name).running_var").values, absolute: 1e-5, relative: 1e-4)
            #expect(mean.passes && variance.passes, "\(name): mean \(mean), var \(variance)")
        }
    }
}
