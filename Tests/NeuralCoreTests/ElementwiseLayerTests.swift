import NeuralCore
import TestSupport
import Testing

/// Values in `range` kept at least `gap` away from every point in `kinks`, so that a finite
/// difference with step h·|v| < gap never crosses a kink.
func awayFromKinks(shape: [Int], in range: ClosedRange<Float>, kinks: [Float], gap: Float,
                   using rng: inout SeededGenerator) -> Tensor {
    let t = Tensor(shape: shape)
    for i in 0..<t.count {
        var v: Float
        repeat { v = Float.random(in: range, using: &rng) } while kinks.contains { abs(v - $0) < gap }
        t.data[i] = v
    }
    return t
}

@Suite struct ElementwiseLayerTests {
    static let shapes = [[2, 3, 5, 5], [3, 2, 7, 4], [1, 1, 9, 11]]

    @Test(arguments: shapes)
    func siluGradient(_ shape: [Int]) {
        var rng = SeededGenerator(seed: 21)
        let x = Tensor.uniform(shape: shape, in: -6...6, using: &rng)
        for check in checkGradients(of: SiLU(), input: x) { #expect(check.within(1e-3), "\(check)") }
    }

    @Test(arguments: shapes)
    func hardswishGradient(_ shape: [Int]) {
        var rng = SeededGenerator(seed: 22)
        // Quadratic between the kinks, so a central difference is exact there: a large step
        // (moving no value across a kink) keeps Float32 rounding small.
        let x = awayFromKinks(shape: shape, in: -5...5, kinks: [-3, 3], gap: 0.05, using: &rng)
        for check in checkGradients(of: Hardswish(), input: x, step: 0.04) { #expect(check.within(1e-3), "\(check)") }
    }

    @Test(arguments: shapes)
    func leakyReLUGradient(_ shape: [Int]) {
        var rng = SeededGenerator(seed: 23)
        let x = awayFromKinks(shape: shape, in: -2...2, kinks: [0], gap: 0.05, using: &rng)
        for check in checkGradients(of: LeakyReLU(negativeSlope: 0.1), input: x, step: 0.04) {
            #expect(check.within(1e-3), "\(check)")
        }
    }

    @Test func activationValues() {
        let x = Tensor(shape: [1, 1, 1, 5], values: [-4, -1, 0, 2, 4])
        let silu = SiLU().forward(x, .inference).values
        let hswish = Hardswish().forward(x, .inference).values
        let leaky = LeakyReLU(negativeSlope: 0.1).forward(x, .inference).values
        let expectedSiLU: [Float] = [-0.0719448, -0.2689414, 0, 1.7615942, 3.9280552]
        for (a, e) in zip(silu, expectedSiLU) { #expect(abs(a - e) < 1e-6) }
        let expectedHardswish: [Float] = [0, -1.0 / 3.0, 0, 10.0 / 6.0, 4]  // x·min(max(x+3,0),6)/6
        for (a, e) in zip(hswish, expectedHardswish) { #expect(abs(a - e) < 1e-6) }
        #expect(leaky == [-0.4, -0.1, 0, 2, 4])
    }

    @Test(arguments: [(5, 1, 2), (9, 1, 4), (13, 1, 6), (2, 2, 0), (3, 2, 1)])
    func maxPoolGradient(_ k: Int, _ s: Int, _ p: Int) {
        // Distinct values 0.01 apart in shuffled order, and a step that moves two values by at
        // most 0.008 together: no window changes its winner during the finite difference.
        var rng = SeededGenerator(seed: 24)
        let shape = [2, 2, 9, 8]
        let count = shape.reduce(1, *)
        var values = (0..<count).map { Float($0) * 0.01 - 1.44 }
        values.shuffle(using: &rng)
        let x = Tensor(shape: shape, values: values)
        let pool = MaxPool2d(kernelSize: k, stride: s, padding: p)
        for check in checkGradients(of: pool, input: x, step: 4e-3) { #expect(check.within(1e-3), "\(check)") }
    }

    @Test func maxPoolPaddingNeverWinsAndFirstMaximumIsKept() {
        let x = Tensor(shape: [1, 1, 2, 2], values: [-5, -5, -7, -6])
        let pool = MaxPool2d(kernelSize: 3, stride: 1, padding: 1)
        let y = pool.forward(x, .train)
        #expect(y.values == [-5, -5, -5, -5])
        let dx = pool.backward(Tensor(shape: [1, 1, 2, 2], repeating: 1), needsInputGradient: true)!
        #expect(dx.values == [4, 0, 0, 0], "ties go to the first maximum in scan order, as in PyTorch")
    }

    @Test func upsampleForwardAndGradient() {
        var rng = SeededGenerator(seed: 25)
        let x = Tensor.uniform(shape: [2, 3, 3, 4], in: -1...1, using: &rng)
        let y = Upsample(factor: 2).forward(x, .inference)
        #expect(y.shape == [2, 3, 6, 8])
        #expect(y[1, 2, 5, 7] == x[1, 2, 2, 3] && y[0, 1, 2, 3] == x[0, 1, 1, 1])
        for check in checkGradients(of: Upsample(factor: 2), input: x) { #expect(check.within(1e-3), "\(check)") }
    }

    @Test func spaceToDepthFollowsFocusSlicing() {
        // x[c, y, x] = 100·c + 10·y + x makes every source position readable from the value.
        let x = Tensor(shape: [1, 2, 4, 4])
        for c in 0..<2 { for i in 0..<4 { for j in 0..<4 { x[0, c, i, j] = Float(100 * c + 10 * i + j) } } }
        let y = SpaceToDepth().forward(x, .inference)
        #expect(y.shape == [1, 8, 2, 2])
        // Blocks: (even rows, even cols), (odd rows, even cols), (even rows, odd cols), (odd, odd).
        #expect(y[0, 0, 1, 1] == 22)      // c0, row 2, col 2
        #expect(y[0, 2, 1, 0] == 30)      // block 1, c0: row 3, col 0
        #expect(y[0, 5, 0, 1] == 103)     // block 2, c1: row 0, col 3
        #expect(y[0, 7, 1, 1] == 133)     // block 3, c1: row 3, col 3
        var rng = SeededGenerator(seed: 26)
        let z = Tensor.uniform(shape: [2, 3, 6, 4], in: -1...1, using: &rng)
        for check in checkGradients(of: SpaceToDepth(), input: z) { #expect(check.within(1e-3), "\(check)") }
    }

    @Test func concatAndAddGradients() {
        var rng = SeededGenerator(seed: 27)
        let a = Tensor.uniform(shape: [2, 3, 4, 5], in: -1...1, using: &rng)
        let b = Tensor.uniform(shape: [2, 1, 4, 5], in: -1...1, using: &rng)
        let concat = Concat()
        let y = concat.forward([a, b], .train)
        #expect(y.shape == [2, 4, 4, 5])
        #expect(y[1, 3, 2, 1] == b[1, 0, 2, 1] && y[1, 2, 3, 4] == a[1, 2, 3, 4])
        let r = Tensor.uniform(shape: y.shape, in: -1...1, using: &rng)
        let grads = concat.backward(r)
        // L = Σ y·r is linear: ⟨dL/da, v⟩ must equal L(a + v) − L(a) exactly up to rounding.
        for (input, grad) in zip([a, b], grads) {
            let v = Tensor.uniform(shape: input.shape, in: -1...1, using: &rng)
            let numeric = centralDifference(of: input, along: v, step: 0.1) { Concat().forward([a, b], .inference).dot(r) }
            let check = compare(name: "concat", analytic: grad.dot(v), numeric: numeric)
            #expect(check.within(1e-4), "\(check)")
        }
        let c = Tensor.uniform(shape: a.shape, in: -1...1, using: &rng)
        let sum = Add.forward(a, c)
        #expect(sum.values == zip(a.values, c.values).map { $0 + $1 })
        let dy = Tensor.uniform(shape: a.shape, in: -1...1, using: &rng)
        let (da, dc) = Add.backward(dy)
        #expect(da.values == dy.values && dc.values == dy.values, "d(a + c)/da = d(a + c)/dc = 1")
    }
}
