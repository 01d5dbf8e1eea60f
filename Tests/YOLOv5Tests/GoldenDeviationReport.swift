import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// The largest deviations from the golden PyTorch file, printed for the record (the golden
/// tests themselves assert the tolerances); it fails only if a deviation is not finite.
@Suite struct GoldenDeviationReport {
    @Test func printLargestDeviations() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        var lines: [String] = []
        func worst(_ a: [Float], _ b: [Float]) -> (abs: Float, rel: Float) {
            var worstAbs: Float = 0, worstRel: Float = 0
            for (x, y) in zip(a, b) {
                worstAbs = max(worstAbs, abs(x - y))
                worstRel = max(worstRel, abs(x - y) / max(abs(y), 1e-3))
            }
            return (worstAbs, worstRel)
        }
        let input = try golden.tensor("input")
        let raw = model.forward(input, training: false, recordsForBackward: false)
        let rawWorst = (0..<3).map { worst(pytorchLayout(raw[$0], anchors: 3), try! golden.tensor("eval/raw\($0)").values).abs }.max()!
        lines.append("eval raw outputs: max |diff| \(rawWorst)")
        let decoded = model.detect.decode(raw), expected = try golden.tensor("eval/out")
        var box: Float = 0, score: Float = 0
        for i in 0..<decoded.count { let d = abs(decoded.data[i] - expected.data[i]); if i % 25 < 4 { box = max(box, d) } else { score = max(score, d) } }
        lines.append("eval decoded boxes: max |diff| \(box) px; scores: \(score)")
        let trainModel = try goldenModel(golden)
        let trainRaw = trainModel.forward(input, training: true, recordsForBackward: true)
        let trainWorst = (0..<3).map { worst(pytorchLayout(trainRaw[$0], anchors: 3), try! golden.tensor("train/raw\($0)").values).abs }.max()!
        lines.append("train raw outputs: max |diff| \(trainWorst)")
        let after = try golden.file.root.group("train/bn_after")
        var bnWorst: Float = 0
        for (name, bn) in trainModel.namedBatchNorms {
            bnWorst = max(bnWorst, worst(bn.runningMean.values, try after.tensor("\(name).running_mean").values).abs,
                          worst(bn.runningVariance.values, try after.tensor("\(name).running_var").values).abs)
        }
        lines.append("BN running statistics after one train forward: max |diff| \(bnWorst)")
        let loss = DetectionLoss(settings: goldenLossSettings)(trainRaw, targets: try goldenTargets(golden), detect: trainModel.detect)
        let total = Double(try golden.tensor("loss/total").values[0])
        lines.append("loss total: \(loss.total) vs \(total) (relative \(abs(loss.total - total) / total))")
        trainModel.backward(loss.gradients)
        let grads = try golden.file.root.group("grads")
        var gradWorst = (name: "", scaled: 0.0)
        for (name, p) in trainModel.namedParameters() {
            let s = scaledMaxDifference(p.grad!.values, try grads.tensor(name).values)
            if s > gradWorst.scaled { gradWorst = (name, s) }
        }
        lines.append("parameter gradients: max |diff| / max |ref| = \(gradWorst.scaled) (\(gradWorst.name))")
        for line in lines { print("golden deviation: \(line)") }
        #expect(rawWorst.isFinite && gradWorst.scaled.isFinite && loss.total.isFinite)
    }
}
