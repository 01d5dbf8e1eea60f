import NeuralCore
import TestSupport
import Testing

@Suite struct BatchNormTests {
    /// A BN with γ, β and running statistics away from their defaults, so that a formula that
    /// mixes them up fails.
    func perturbedBatchNorm(channels: Int, using rng: inout SeededGenerator) -> BatchNorm2d {
        let bn = BatchNorm2d(channels: channels)
        for c in 0..<channels {
            bn.weight.value.data[c] = rng.uniform(0.5, 1.5)
            bn.bias.value.data[c] = rng.uniform(-0.3, 0.3)
            bn.runningMean.data[c] = rng.uniform(-0.5, 0.5)
            bn.runningVariance.data[c] = rng.uniform(0.5, 2)
        }
        return bn
    }

    @Test(arguments: [(2, 3, 5, 5), (3, 4, 7, 6), (1, 2, 9, 9)])
    func trainingModeGradients(_ n: Int, _ c: Int, _ h: Int, _ w: Int) {
        var rng = SeededGenerator(seed: 11)
        let bn = perturbedBatchNorm(channels: c, using: &rng)
        let x = Tensor.uniform(shape: [n, c, h, w], in: -2...2, using: &rng)
        for check in checkGradients(of: bn, input: x, mode: .train, step: 1e-2) {
            // Smooth in x; the 1e-2 step leaves a truncation error near 1e-4 relative.
            #expect(check.within(2e-3), "\(check)")
        }
    }

    /// The residual added in BN's own pass (a Bottleneck's shortcut) equals adding it afterwards,
    /// bit for bit (one rounding either way), in both modes.
    @Test(arguments: [true, false])
    func residualAddedInTheSamePass(_ training: Bool) {
        var rng = SeededGenerator(seed: 19)
        let bn = perturbedBatchNorm(channels: 3, using: &rng)
        let fused = BatchNorm2d(channels: 3, activation: .silu)
        for c in 0..<3 {
            fused.weight.value.data[c] = bn.weight.value.data[c]
            fused.bias.value.data[c] = bn.bias.value.data[c]
            fused.runningMean.data[c] = bn.runningMean.data[c]
            fused.runningVariance.data[c] = bn.runningVariance.data[c]
        }
        let plain = BatchNorm2d(channels: 3, activation: .silu)
        plain.weight.value.assign(fused.weight.value); plain.bias.value.assign(fused.bias.value)
        plain.runningMean.assign(fused.runningMean); plain.runningVariance.assign(fused.runningVariance)
        let x = Tensor.uniform(shape: [2, 3, 5, 7], in: -2...2, using: &rng)
        let residual = Tensor.uniform(shape: x.shape, in: -1...1, using: &rng)
        let mode = ForwardMode(training: training, recordsForBackward: false)
        let expected = Tensor.zipMap(plain.forward(x, mode), residual, +)
        #expect(fused.forward(x, mode, adding: residual).values == expected.values)
    }

    /// BatchNorm with SiLU fused (YOLOv5's Conv block after its convolution), both modes.
    @Test(arguments: [true, false])
    func fusedSiLUGradients(_ training: Bool) {
        var rng = SeededGenerator(seed: 17)
        let bn = BatchNorm2d(channels: 3, activation: .silu)
        for c in 0..<3 {
            bn.weight.value.data[c] = rng.uniform(0.5, 1.5)
            bn.bias.value.data[c] = rng.uniform(-0.3, 0.3)
            bn.runningMean.data[c] = rng.uniform(-0.5, 0.5)
            bn.runningVariance.data[c] = rng.uniform(0.5, 2)
        }
        let x = Tensor.uniform(shape: [2, 3, 6, 5], in: -2...2, using: &rng)
        for check in checkGradients(of: bn, input: x, mode: ForwardMode(training: training, recordsForBackward: true)) {
            #expect(check.within(2e-3), "\(check)")
        }
        // The fused output equals BN followed by SiLU.
        let plain = perturbedCopy(bn)
        let expected = SiLU().forward(plain.forward(x, .inference), .inference)
        let fused = bn.forward(x, .inference)
        #expect(closeness(fused.values, expected.values, absolute: 1e-6).passes)
    }

    func perturbedCopy(_ bn: BatchNorm2d) -> BatchNorm2d {
        let copy = BatchNorm2d(channels: bn.channels)
        copy.weight.value.assign(bn.weight.value)
        copy.bias.value.assign(bn.bias.value)
        copy.runningMean.assign(bn.runningMean)
        copy.runningVariance.assign(bn.runningVariance)
        return copy
    }

    @Test func evalModeGradients() {
        var rng = SeededGenerator(seed: 12)
        let bn = perturbedBatchNorm(channels: 3, using: &rng)
        let x = Tensor.uniform(shape: [2, 3, 5, 4], in: -2...2, using: &rng)
        for check in checkGradients(of: bn, input: x, mode: ForwardMode(training: false, recordsForBackward: true)) {
            #expect(check.within(1e-3), "\(check)")  // affine in x, γ and β
        }
    }

    @Test func fixedStatisticsGradientsInTrainingMode() {
        var rng = SeededGenerator(seed: 13)
        let bn = perturbedBatchNorm(channels: 3, using: &rng)
        bn.keepsStatisticsFixed = true
        let x = Tensor.uniform(shape: [2, 3, 4, 5], in: -2...2, using: &rng)
        for check in checkGradients(of: bn, input: x, mode: .train) {
            #expect(check.within(1e-3), "\(check)")
        }
    }

    @Test func trainingForwardNormalisesAndUpdatesRunningStatistics() {
        var rng = SeededGenerator(seed: 14)
        let bn = perturbedBatchNorm(channels: 2, using: &rng)
        let x = Tensor.uniform(shape: [3, 2, 4, 4], in: -1...3, using: &rng)
        let oldMean = bn.runningMean.values, oldVar = bn.runningVariance.values
        let y = bn.forward(x, .train)
        for c in 0..<2 {
            var values: [Double] = []
            for b in 0..<3 { for i in 0..<4 { for j in 0..<4 { values.append(Double(x[b, c, i, j])) } } }
            let m = Double(values.count)
            let mean = values.reduce(0, +) / m
            let biased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / m
            let unbiased = biased * m / (m - 1)
            let gamma = Double(bn.weight.value.data[c]), beta = Double(bn.bias.value.data[c])
            for b in 0..<3 { for i in 0..<4 { for j in 0..<4 {
                let expected = (Double(x[b, c, i, j]) - mean) / (biased + 1e-3).squareRoot() * gamma + beta
                #expect(abs(Double(y[b, c, i, j]) - expected) < 1e-5)
            } } }
            // running ← 0.97·old + 0.03·batch (YOLOv5's momentum), variance unbiased.
            #expect(abs(Double(bn.runningMean.data[c]) - (0.97 * Double(oldMean[c]) + 0.03 * mean)) < 1e-6)
            #expect(abs(Double(bn.runningVariance.data[c]) - (0.97 * Double(oldVar[c]) + 0.03 * unbiased)) < 1e-6)
        }
    }

    @Test func evalModeUsesRunningStatisticsAndLeavesThem() {
        var rng = SeededGenerator(seed: 15)
        let bn = perturbedBatchNorm(channels: 2, using: &rng)
        let x = Tensor.uniform(shape: [2, 2, 3, 3], in: -1...1, using: &rng)
        let before = (bn.runningMean.values, bn.runningVariance.values)
        let y = bn.forward(x, .inference)
        #expect(bn.runningMean.values == before.0 && bn.runningVariance.values == before.1)
        let c = 1
        let expected = (x[1, c, 2, 0] - before.0[c]) / (before.1[c] + 1e-3).squareRoot()
            * bn.weight.value.data[c] + bn.bias.value.data[c]
        #expect(abs(y[1, c, 2, 0] - expected) < 1e-6)
    }

    @Test func fixedStatisticsSwitchKeepsRunningStatisticsInTraining() {
        var rng = SeededGenerator(seed: 16)
        let bn = perturbedBatchNorm(channels: 2, using: &rng)
        bn.keepsStatisticsFixed = true
        let x = Tensor.uniform(shape: [2, 2, 3, 3], in: -1...1, using: &rng)
        let before = (bn.runningMean.values, bn.runningVariance.values)
        let yTrain = bn.forward(x, .train)
        let yEval = bn.forward(x, .inference)
        #expect(bn.runningMean.values == before.0 && bn.runningVariance.values == before.1)
        #expect(yTrain.values == yEval.values)
        _ = bn.forward(x, .train)
        _ = bn.backward(Tensor(shape: yTrain.shape, repeating: 1), needsInputGradient: false)
        #expect(bn.weight.grad != nil && bn.bias.grad!.values == [18, 18], "affine parameters still train")
    }

    @Test func namesMatchPyTorch() {
        let bn = BatchNorm2d(channels: 4)
        #expect(bn.namedParameters(prefix: "bn.").map(\.0) == ["bn.weight", "bn.bias"])
        #expect(bn.namedBuffers(prefix: "bn.").map(\.0) == ["bn.running_mean", "bn.running_var"])
        #expect(bn.epsilon == 1e-3 && bn.momentum == 0.03)
    }
}
