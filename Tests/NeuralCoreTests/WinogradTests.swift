@testable import NeuralCore
import TestSupport
import Testing

/// dL/dW and dL/dx of a 3×3 stride-1 padding-1 convolution in Double, for L = Σ y·dy.
func referenceConvolutionGradients(_ x: Tensor, _ weight: Tensor, _ dy: Tensor) -> (dWeight: [Double], dx: [Double]) {
    let (n, c, h, w, k) = (x.n, x.c, x.h, x.w, weight.shape[0])
    var dWeight = [Double](repeating: 0, count: weight.count)
    var dx = [Double](repeating: 0, count: x.count)
    for b in 0..<n { for o in 0..<k { for oy in 0..<h { for ox in 0..<w {
        let g = Double(dy[b, o, oy, ox])
        for ci in 0..<c { for i in 0..<3 { for j in 0..<3 {
            let iy = oy - 1 + i, ix = ox - 1 + j
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            dWeight[((o * c + ci) * 3 + i) * 3 + j] += g * Double(x[b, ci, iy, ix])
            dx[((b * c + ci) * h + iy) * w + ix] += g * Double(weight[o, ci, i, j])
        } } }
    } } } }
    return (dWeight, dx)
}

/// max |a − r| / max |r|: an error on the tensor's own scale (values cross zero).
func scaledError(_ actual: [Float], _ reference: [Double]) -> Double {
    var difference = 0.0, scale = 0.0
    for (a, r) in zip(actual, reference) {
        difference = max(difference, abs(Double(a) - r))
        scale = max(scale, abs(r))
    }
    return actual.contains { $0.isNaN } ? .infinity : difference / scale
}

struct WinogradCase: CustomTestStringConvertible, Sendable {
    let tile: WinogradTile
    let n, c, h, w, k: Int
    var testDescription: String { "F(\(tile.m),3) N\(n) C\(c) \(h)x\(w) K\(k)" }
}

let winogradCases: [WinogradCase] = WinogradTile.allCases.flatMap { tile in [
    WinogradCase(tile: tile, n: 2, c: 3, h: 8, w: 8, k: 4),      // whole tiles
    WinogradCase(tile: tile, n: 3, c: 5, h: 7, w: 10, k: 6),     // partial tiles at the right and bottom
    WinogradCase(tile: tile, n: 1, c: 2, h: 5, w: 3, k: 3),      // one image, narrower than a tile row
    WinogradCase(tile: tile, n: 2, c: 3, h: 2, w: 2, k: 2),      // smaller than one tile
    WinogradCase(tile: tile, n: 5, c: 64, h: 10, w: 10, k: 32),  // several blocks, YOLOv5-sized channels
] }

@Suite struct WinogradTests {
    /// Each written-out 1-D transform equals its matrix in `WinogradTile`.
    @Test(arguments: WinogradTile.allCases)
    func transformsEqualTheirMatrices(_ tile: WinogradTile) {
        let (m, alpha, count) = (tile.m, tile.alpha, 19)  // two SIMD steps of 8 and a tail of 3
        var rng = SeededGenerator(seed: 41)
        let input = (0..<(alpha * count)).map { _ in rng.uniform(-1, 1) }  // α rows of `count`
        let (bt, at) = (tile.inputMatrix, tile.outputMatrix)
        func expectNear(_ a: Float, _ b: Float, _ what: String) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "\(what): \(a) vs \(b)") }
        /// Runs a transform on `input` into `rows` rows and checks row r, element i against `expected(r, i)`.
        func check(_ name: String, rows: Int, start: Float = 0,
                   _ run: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void, expected: (Int, Int) -> Float) {
            var output = [Float](repeating: start, count: rows * count)
            input.withUnsafeBufferPointer { source in output.withUnsafeMutableBufferPointer { run(source.baseAddress!, $0.baseAddress!) } }
            for r in 0..<rows { for i in 0..<count { expectNear(output[r * count + i], expected(r, i), "\(name) row \(r) element \(i)") } }
        }
        check("Bᵀd", rows: alpha, { s, o in tile.transformInput(count: count, input: { s + $0 * count }, output: { o + $0 * count }) }) { r, i in
            (0..<alpha).map { bt[r * alpha + $0] * input[$0 * count + i] }.reduce(0, +)
        }
        check("Aᵀv", rows: m, { s, o in tile.transformOutput(count: count, input: { s + $0 * count }, output: { o + $0 * count }) }) { r, i in
            (0..<alpha).map { at[r * alpha + $0] * input[$0 * count + i] }.reduce(0, +)
        }
        check("A·d", rows: alpha, { s, o in tile.transformOutputGradient(count: count, input: { s + $0 * count }, output: { o + $0 * count }) }) { r, i in
            (0..<m).map { at[$0 * alpha + r] * input[$0 * count + i] }.reduce(0, +)
        }
        check("B·v accumulated", rows: alpha, start: 0.5,
              { s, o in tile.accumulateInputGradient(count: count, input: { s + $0 * count }, output: { o + $0 * count }) }) { r, i in
            0.5 + (0..<alpha).map { bt[$0 * alpha + r] * input[$0 * count + i] }.reduce(0, +)
        }
    }

    /// The three passes against the convolution computed directly in Double.
    @Test(arguments: winogradCases)
    func passesMatchDirectDoubleConvolution(_ t: WinogradCase) {
        var rng = SeededGenerator(seed: 42)
        let conv = Conv2d(inChannels: t.c, outChannels: t.k, kernelSize: 3, padding: 1, using: &rng)
        conv.algorithm = .winograd(t.tile)
        let x = Tensor.uniform(shape: [t.n, t.c, t.h, t.w], in: -1...1, using: &rng)
        let dy = Tensor.uniform(shape: [t.n, t.k, t.h, t.w], in: -1...1, using: &rng)
        let y = conv.forward(x, .train)
        let dx = conv.backward(dy, needsInputGradient: true)!
        let reference = referenceConvolution(x, conv.weight.value, nil, stride: 1, padding: 1)
        let gradients = referenceConvolutionGradients(x, conv.weight.value, dy)
        let errors = (forward: scaledError(y.values, reference), dWeight: scaledError(conv.weight.grad!.values, gradients.dWeight),
                      dx: scaledError(dx.values, gradients.dx))
        // Measured on these cases (max |error| / max |value|): F(2,3) ≤ 3.4e-7 forward,
        // 3.4e-7 dW, 2.0e-7 dx; F(4,3) ≤ 6.4e-6, 2.2e-6, 3.4e-6 (growing with C). im2col is at 1e-7.
        // The tolerance is 3× the worst measured F(4,3) error; a wrong coefficient gives >1e-2.
        let tolerance = 2e-5
        #expect(errors.forward <= tolerance, "forward \(errors.forward)")
        #expect(errors.dWeight <= tolerance, "weight gradient \(errors.dWeight)")
        #expect(errors.dx <= tolerance, "input gradient \(errors.dx)")
        print("Winograd \(t.testDescription): scaled error forward \(errors.forward), dW \(errors.dWeight), dx \(errors.dx)")
    }

    /// Central differences of L = Σ y·r (STYLE.md §6.1) for both tiles.
    @Test(arguments: winogradCases.filter { $0.c < 64 })
    func backwardMatchesFiniteDifferences(_ t: WinogradCase) {
        var rng = SeededGenerator(seed: 43)
        let conv = Conv2d(inChannels: t.c, outChannels: t.k, kernelSize: 3, padding: 1, bias: true, using: &rng)
        conv.algorithm = .winograd(t.tile)
        let x = Tensor.uniform(shape: [t.n, t.c, t.h, t.w], in: -1...1, using: &rng)
        let checks = checkGradients(of: conv, input: x)
        #expect(checks.count == 6)
        // Linear in x and W: exact up to Float32 rounding of L (as for im2col).
        for check in checks { #expect(check.within(1e-3), "\(check)") }
    }

    /// The transformed weight gradient and the input gradient only when asked, nothing for a
    /// frozen weight.
    @Test func frozenWeightAndNoInputGradient() {
        var rng = SeededGenerator(seed: 44)
        let conv = Conv2d(inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, using: &rng)
        conv.algorithm = .winograd(.f4)
        let x = Tensor.uniform(shape: [2, 4, 6, 6], in: -1...1, using: &rng)
        conv.weight.isTrainable = false
        _ = conv.forward(x, .train)
        #expect(conv.backward(Tensor(shape: [2, 4, 6, 6], repeating: 1), needsInputGradient: true) != nil)
        #expect(conv.weight.grad == nil)
        conv.weight.isTrainable = true
        _ = conv.forward(x, .train)
        #expect(conv.backward(Tensor(shape: [2, 4, 6, 6], repeating: 1), needsInputGradient: false) == nil)
        #expect(conv.weight.grad != nil)
    }
}
