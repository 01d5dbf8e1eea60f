import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// The fixture's loss settings: hyp.scratch-low adjusted by train.py for nl 3, nc 20, img 160.
let goldenLossSettings = LossSettings(box: 0.05, obj: 0.0625, cls: 0.125, clsPositiveWeight: 1, objPositiveWeight: 1,
                                      anchorThreshold: 4)

func goldenTargets(_ golden: GoldenFile) throws -> [DetectionTarget] {
    let rows = try golden.tensor("targets").values
    return stride(from: 0, to: rows.count, by: 6).map {
        DetectionTarget(image: Int(rows[$0]), classIndex: Int(rows[$0 + 1]), x: rows[$0 + 2], y: rows[$0 + 3], w: rows[$0 + 4], h: rows[$0 + 5])
    }
}

@Suite struct GoldenLossTests {
    @Test func settingsAreTheFixturesAdjustedHyp() throws {
        let golden = try GoldenFile()
        let loss = try golden.file.root.group("loss")
        #expect(try loss.doubleAttribute("hyp_box") == goldenLossSettings.box)
        #expect(try loss.doubleAttribute("hyp_obj") == goldenLossSettings.obj)
        #expect(try loss.doubleAttribute("hyp_cls") == goldenLossSettings.cls)
        #expect(try loss.doubleAttribute("hyp_anchor_t") == goldenLossSettings.anchorThreshold)
    }

    @Test func targetAssignmentMatchesBuildTargets() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        let raw = (0..<3).map { try! detectLayout(golden.tensor("train/raw\($0)")) }
        let result = DetectionLoss(settings: goldenLossSettings)(raw, targets: try goldenTargets(golden), detect: model.detect)
        for level in 0..<3 {
            let path = "loss/build_targets/level\(level)"
            let matches = result.matches[level]
            #expect(matches.map { Int64($0.image) } == (try golden.integers("\(path)/b")))
            #expect(matches.map { Int64($0.anchor) } == (try golden.integers("\(path)/a")))
            #expect(matches.map { Int64($0.gridY) } == (try golden.integers("\(path)/gj")))
            #expect(matches.map { Int64($0.gridX) } == (try golden.integers("\(path)/gi")))
            #expect(matches.map { Int64($0.classIndex) } == (try golden.integers("\(path)/tcls")))
            let tbox = matches.flatMap { [$0.box.x, $0.box.y, $0.box.w, $0.box.h] }
            let anchors = matches.flatMap { [$0.anchorSize.w, $0.anchorSize.h] }
            // Float32 products of the same inputs: 1e-5 (fixtures README).
            #expect(closeness(tbox, try golden.tensor("\(path)/tbox").values, absolute: 1e-5).passes)
            #expect(closeness(anchors, try golden.tensor("\(path)/anch").values, absolute: 1e-5).passes)
        }
        #expect(result.matches.map(\.count) == [51, 38, 18])
    }

    @Test func lossAndItsGradientMatchComputeLoss() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        let raw = (0..<3).map { try! detectLayout(golden.tensor("train/raw\($0)")) }
        let result = DetectionLoss(settings: goldenLossSettings)(raw, targets: try goldenTargets(golden), detect: model.detect)
        let expected = try golden.tensor("loss/items").values.map(Double.init)
        let total = Double(try golden.tensor("loss/total").values[0])
        // PyTorch sums in Float32; float64 agrees to 2e-7 relative, the README's budget is 1e-5.
        #expect(abs(result.total - total) <= 1e-5 * total, "total \(result.total) vs \(total)")
        for (actual, reference) in zip([result.box, result.obj, result.cls], expected) {
            #expect(abs(actual - reference) <= 1e-5 * reference, "\(actual) vs \(reference)")
        }
        for level in 0..<3 {
            // Per tensor: max |diff| ≤ 1e-3 · max |ref| (fixtures README).
            let scaled = scaledMaxDifference(pytorchLayout(result.gradients[level], anchors: 3),
                                             try golden.tensor("train/raw_grad\(level)").values)
            #expect(scaled <= 1e-3, "raw_grad\(level): \(scaled)")
        }
    }

    @Test func parameterGradientsMatchPyTorch() throws {
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        let raw = model.forward(try golden.tensor("input"), training: true, recordsForBackward: true)
        let result = DetectionLoss(settings: goldenLossSettings)(raw, targets: try goldenTargets(golden), detect: model.detect)
        model.backward(result.gradients)
        let grads = try golden.file.root.group("grads")
        var worst = (name: "", value: 0.0)
        for (name, parameter) in model.namedParameters() {
            let reference = try grads.tensor(name).values
            let scaled = scaledMaxDifference(parameter.grad!.values, reference)
            if scaled > worst.value { worst = (name, scaled) }
            // float64 vs the golden file: ≤ 7.7e-5 of the tensor's scale; budget 1e-3.
            #expect(scaled <= 1e-3, "\(name): \(scaled)")
        }
        print("largest gradient deviation: \(worst.name) \(worst.value)")
    }
}
