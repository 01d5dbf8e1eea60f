import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// Frozen Conv + BatchNorm folded into one convolution with bias (`bn: frozen-bn`'s mechanism).
@Suite struct BatchNormFoldingTests {
    /// A frozen Conv block whose BN has γ, β and running statistics away from their defaults.
    func frozenBlock(_ c1: Int, _ c2: Int, k: Int, s: Int, using rng: inout SeededGenerator) -> Conv {
        let block = Conv(c1, c2, k: k, s: s, activation: .silu, using: &rng)
        for c in 0..<c2 {
            block.bn.weight.value.data[c] = rng.uniform(0.5, 1.5)
            block.bn.bias.value.data[c] = rng.uniform(-0.3, 0.3)
            block.bn.runningMean.data[c] = rng.uniform(-0.2, 0.2)
            block.bn.runningVariance.data[c] = rng.uniform(0.5, 2)
        }
        for (_, p) in block.namedParameters() { p.isTrainable = false }
        block.bn.keepsStatisticsFixed = true
        return block
    }

    @Test(arguments: [(1, 1), (3, 1), (3, 2), (6, 2)])
    func foldedForwardEqualsConvolutionThenBatchNorm(_ k: Int, _ s: Int) {
        var rng = SeededGenerator(seed: 71)
        let block = frozenBlock(5, 8, k: k, s: s, using: &rng)
        let x = Tensor.uniform(shape: [3, 5, 12, 12], in: -1...1, using: &rng)
        let mode = ForwardMode(training: true, recordsForBackward: false)
        let unfolded = block.forward(x, mode)
        let statistics = block.bn.runningMean.values + block.bn.runningVariance.values
        block.foldBatchNorm()
        #expect(block.isBatchNormFolded)
        let folded = block.forward(x, mode)
        // Float32 rounding of W·s against (W·x)·s: measured ≤ 4e-7 on outputs of magnitude ≤ 3.
        let close = closeness(folded.values, unfolded.values, absolute: 1e-5)
        #expect(close.passes, "\(close)")
        #expect(block.bn.runningMean.values + block.bn.runningVariance.values == statistics, "running statistics moved")
        #expect(block.namedParameters().map(\.0) == ["conv.weight", "bn.weight", "bn.bias"], "names do not change")
    }

    /// dL/dx of the folded block (an upstream layer may train) by central differences.
    @Test func foldedInputGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 72)
        let block = frozenBlock(4, 6, k: 3, s: 1, using: &rng)
        block.foldBatchNorm()
        let x = Tensor.uniform(shape: [2, 4, 7, 7], in: -1...1, using: &rng)
        let checks = checkGradients(of: block, input: x)
        #expect(checks.count == 2, "only dL/dx: nothing of the block trains")
        // Smooth (SiLU) in x; the 1e-2 step leaves a truncation error near 1e-4 relative.
        for check in checks { #expect(check.within(2e-3), "\(check)") }
    }

    @Test func foldingAFrozenBackboneKeepsOutputsAndTrainableGradients() throws {
        var rng = SeededGenerator(seed: 73)
        let x = Tensor.uniform(shape: [2, 3, 64, 64], in: 0...1, using: &rng)
        let frozenNames = { (model: YOLOv5Model) in model.namedBatchNorms.filter { FreezeSpec(firstLayers: 10).freezes($0.0 + ".weight") } }
        func run(fold: Bool) throws -> (outputs: [[Float]], gradients: [String: [Float]], statistics: [Float], folded: Int) {
            let model = try tinyModel()
            // im2col everywhere: Winograd's own rounding (measured in WinogradTests) would blur
            // what this test checks, and this small random model amplifies rounding a lot.
            for block in model.convBlocks { block.conv.algorithm = .im2col }
            calibrateBatchNorm(model, on: x)  // running statistics that fit the data, as after training
            try model.applyFreeze(FreezeSpec(firstLayers: 10), batchNorm: .frozen)
            let folded = fold ? model.foldFrozenBatchNorms() : 0
            let raw = model.forward(x, training: true, recordsForBackward: true)
            var directions = SeededGenerator(seed: 74)
            model.backward(raw.map { Tensor.uniform(shape: $0.shape, in: -1...1, using: &directions) })
            let gradients = Dictionary(uniqueKeysWithValues: model.namedParameters().compactMap { name, p in p.grad.map { (name, $0.values) } })
            let statistics = frozenNames(model).flatMap { $0.1.runningMean.values + $0.1.runningVariance.values }
            return (raw.map(\.values), gradients, statistics, folded)
        }
        let (plain, folded) = (try run(fold: false), try run(fold: true))
        // Layers 0–9 of yolov5n: Conv 0, 1, 3, 5, 7; C3 2, 4, 6, 8 with 1, 2, 3, 1 Bottlenecks
        // (3 + 2n blocks each); SPPF 9 (2): 5 + 5 + 7 + 9 + 5 + 2.
        #expect(folded.folded == 33)
        #expect(folded.statistics == plain.statistics, "frozen statistics moved")
        for (a, b) in zip(folded.outputs, plain.outputs) {
            // Rounding differences passed through the head: measured ≤ 3e-6 on logits of magnitude ≤ 10.
            let close = closeness(a, b, absolute: 1e-4, relative: 1e-4)
            #expect(close.passes, "\(close)")
        }
        #expect(folded.gradients.keys.sorted() == plain.gradients.keys.sorted())
        // The golden budget (fixtures README): max |diff| ≤ 1e-3 of the tensor's scale, plus 1e-5 of
        // the largest gradient for sums that cancel to rounding noise (a BN bias before a
        // convolution whose output a batch-statistics BN re-centres). Measured: ≤ 1.2e-4 of scale.
        let largest = plain.gradients.values.map { $0.map(abs).max()! }.max()!
        for (name, gradient) in plain.gradients {
            let (difference, scale) = zip(folded.gradients[name]!, gradient).reduce((Float(0), Float(0))) {
                (max($0.0, abs($1.0 - $1.1)), max($0.1, abs($1.1)))
            }
            #expect(difference <= 1e-3 * scale + 1e-5 * largest, "\(name): max |diff| \(difference), scale \(scale)")
        }
    }
}
