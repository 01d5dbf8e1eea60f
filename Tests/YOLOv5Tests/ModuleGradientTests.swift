import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// Each YOLOv5 module's backward against finite differences, in training mode, on 2 images.
@Suite struct ModuleGradientTests {
    static func modules() -> [(String, any Layer, [Int])] {
        var rng = SeededGenerator(seed: 41)
        return [
            ("Conv k3 s2", Conv(4, 6, k: 3, s: 2, activation: .silu, using: &rng), [2, 4, 9, 9]),
            ("Conv hardswish", Conv(4, 6, k: 3, s: 1, activation: .hardswish, using: &rng), [2, 4, 7, 7]),
            ("Bottleneck shortcut", Bottleneck(6, 6, shortcut: true, e: 0.5, activation: .silu, using: &rng), [2, 6, 6, 6]),
            ("C3 n2", C3(6, 8, n: 2, shortcut: true, activation: .silu, using: &rng), [2, 6, 6, 5]),
            ("C3 no shortcut", C3(8, 8, n: 1, shortcut: false, activation: .silu, using: &rng), [2, 8, 5, 5]),
            ("BottleneckCSP", BottleneckCSP(6, 8, n: 1, shortcut: true, activation: .silu, innerActivation: .silu, using: &rng), [2, 6, 6, 6]),
            ("SPPF", SPPF(8, 8, kernel: 5, activation: .silu, using: &rng), [2, 8, 6, 6]),
            ("SPP", SPP(8, 8, kernels: [5, 9, 13], activation: .silu, using: &rng), [2, 8, 6, 6]),
            ("Focus", Focus(3, 8, k: 3, s: 1, p: nil, activation: .silu, using: &rng), [2, 3, 8, 8]),
        ]
    }

    @Test(arguments: 0..<9)
    func moduleGradients(_ index: Int) {
        let (name, layer, shape) = Self.modules()[index]
        var rng = SeededGenerator(seed: UInt64(50 + index))
        let x = Tensor.uniform(shape: shape, in: -1...1, using: &rng)
        for check in checkGradients(of: layer, input: x, mode: .train, step: 1e-3) {
            #expect(check.within(1e-2), "\(name) \(check)")
        }
    }
}
