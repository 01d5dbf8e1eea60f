import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// The largest deviation from the golden PyTorch file per quantity, printed beside the
/// fixtures README's recommended bound and checked against it (NaN or infinity anywhere fails:
/// the helpers never drop a non-finite element).
@Suite struct GoldenDeviationReport {
    struct Line {
        let quantity: String
        let worst: Closeness
        let bound: String
    }

    @Test func largestDeviationsAreWithinTheFixturesBounds() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        let input = try golden.tensor("input")
        var lines: [Line] = []
        func joined(_ parts: [([Float], [Float])]) -> ([Float], [Float]) { (parts.flatMap(\.0), parts.flatMap(\.1)) }

        // README: float64 lands 1.4e-4 from the float32 logits (up to ~14).
        let raw = model.forward(input, training: false, recordsForBackward: false)
        let rawPairs = joined(try (0..<3).map { (pytorchLayout(raw[$0], anchors: 3), try golden.tensor("eval/raw\($0)").values) })
        lines.append(Line(quantity: "eval raw outputs", worst: closeness(rawPairs.0, rawPairs.1, absolute: 1e-3, relative: 1e-3),
                          bound: "1e-3 + 1e-3·|ref|"))
        let decoded = model.detect.decode(raw).values, expected = try golden.tensor("eval/out").values
        let isBox = (0..<decoded.count).map { $0 % 25 < 4 }
        let boxes = (zip(decoded, isBox).filter(\.1).map(\.0), zip(expected, isBox).filter(\.1).map(\.0))
        let scores = (zip(decoded, isBox).filter { !$0.1 }.map(\.0), zip(expected, isBox).filter { !$0.1 }.map(\.0))
        lines.append(Line(quantity: "eval decoded boxes (px)", worst: closeness(boxes.0, boxes.1, absolute: 2e-3, relative: 2e-4),
                          bound: "2e-3 + 2e-4·|ref|"))
        lines.append(Line(quantity: "eval scores", worst: closeness(scores.0, scores.1, absolute: 1e-4), bound: "1e-4"))

        let trainModel = try goldenModel(golden)
        let trainRaw = trainModel.forward(input, training: true, recordsForBackward: true)
        let trainPairs = joined(try (0..<3).map { (pytorchLayout(trainRaw[$0], anchors: 3), try golden.tensor("train/raw\($0)").values) })
        lines.append(Line(quantity: "train raw outputs", worst: closeness(trainPairs.0, trainPairs.1, absolute: 1e-3, relative: 1e-3),
                          bound: "1e-3 + 1e-3·|ref|"))
        let after = try golden.file.root.group("train/bn_after")
        let statistics = joined(try trainModel.namedBatchNorms.flatMap { name, bn in
            [(bn.runningMean.values, try after.tensor("\(name).running_mean").values),
             (bn.runningVariance.values, try after.tensor("\(name).running_var").values)]
        })
        lines.append(Line(quantity: "BN running statistics after one train forward",
                          worst: closeness(statistics.0, statistics.1, absolute: 1e-5, relative: 1e-4), bound: "1e-5 + 1e-4·|ref|"))

        let loss = DetectionLoss(settings: goldenLossSettings)(trainRaw, targets: try goldenTargets(golden), detect: trainModel.detect)
        let total = Double(try golden.tensor("loss/total").values[0])
        let lossDeviation = relativeDifference(loss.total, total)
        trainModel.backward(loss.gradients)
        let grads = try golden.file.root.group("grads")
        let gradientDeviations = try trainModel.namedParameters().map { name, p in
            (name, scaledMaxDifference(try #require(p.grad).values, try grads.tensor(name).values))
        }
        let worstGradient = gradientDeviations.max { $0.1 < $1.1 }!  // a NaN or infinity scales to +infinity

        for line in lines {
            print("golden deviation: \(line.quantity): max |diff| \(line.worst.maxAbsoluteDifference) (bound \(line.bound))")
            #expect(line.worst.passes, "\(line.quantity): \(line.worst)")
        }
        print("golden deviation: loss total: relative \(lossDeviation) (bound 1e-5)")
        print("golden deviation: parameter gradients: max |diff| / max |ref| = \(worstGradient.1) at \(worstGradient.0) (bound 1e-3)")
        #expect(lossDeviation <= 1e-5, "loss \(loss.total) vs \(total)")
        #expect(worstGradient.1 <= 1e-3, "\(worstGradient.0): \(worstGradient.1)")
    }
}
