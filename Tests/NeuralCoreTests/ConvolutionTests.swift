import NeuralCore
import TestSupport
import Testing

/// A convolution case: input [N, C, H, W], K filters of k×k, stride, padding, bias.
struct ConvCase: CustomTestStringConvertible, Sendable {
    let n, c, h, w, k, kernel, stride, padding: Int
    let bias: Bool
    var testDescription: String { "N\(n) C\(c) \(h)x\(w) K\(k) k\(kernel) s\(stride) p\(padding)\(bias ? " bias" : "")" }
}

let convCases: [ConvCase] = [
    ConvCase(n: 2, c: 3, h: 7, w: 7, k: 4, kernel: 3, stride: 1, padding: 1, bias: true),
    ConvCase(n: 2, c: 3, h: 8, w: 9, k: 5, kernel: 3, stride: 2, padding: 1, bias: false),
    ConvCase(n: 3, c: 4, h: 9, w: 7, k: 3, kernel: 1, stride: 1, padding: 0, bias: true),   // 1×1, chunked
    ConvCase(n: 2, c: 2, h: 11, w: 10, k: 3, kernel: 6, stride: 2, padding: 2, bias: false), // YOLOv5 layer 0
    ConvCase(n: 2, c: 5, h: 5, w: 5, k: 4, kernel: 1, stride: 2, padding: 0, bias: false),
    ConvCase(n: 2, c: 2, h: 64, w: 65, k: 3, kernel: 1, stride: 1, padding: 0, bias: true), // 1×1 direct GEMM
    ConvCase(n: 2, c: 2, h: 70, w: 64, k: 2, kernel: 3, stride: 1, padding: 1, bias: false), // one image per GEMM
    ConvCase(n: 1, c: 3, h: 9, w: 11, k: 4, kernel: 3, stride: 2, padding: 1, bias: true),   // one image: GEMMs split across cores
    ConvCase(n: 1, c: 3, h: 8, w: 8, k: 5, kernel: 1, stride: 1, padding: 0, bias: false),   // one image, 1×1 direct, split
    ConvCase(n: 5, c: 3, h: 6, w: 6, k: 4, kernel: 3, stride: 1, padding: 1, bias: false),   // chunks of 3 and 2 images
    ConvCase(n: 2, c: 3, h: 12, w: 10, k: 4, kernel: 6, stride: 2, padding: 2, bias: true),  // layer 0: space-to-depth + 3×3
    ConvCase(n: 3, c: 2, h: 8, w: 6, k: 3, kernel: 4, stride: 2, padding: 2, bias: false),   // space-to-depth + 2×2
]

/// Direct convolution in Double, the reference for the forward pass.
func referenceConvolution(_ x: Tensor, _ weight: Tensor, _ bias: Tensor?, stride s: Int, padding p: Int) -> [Double] {
    let (n, c, h, w) = (x.n, x.c, x.h, x.w)
    let (k, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    let oh = (h + 2 * p - kh) / s + 1, ow = (w + 2 * p - kw) / s + 1
    var y = [Double](repeating: 0, count: n * k * oh * ow)
    for b in 0..<n { for o in 0..<k { for oy in 0..<oh { for ox in 0..<ow {
        var sum = bias.map { Double($0.data[o]) } ?? 0
        for ci in 0..<c { for i in 0..<kh { for j in 0..<kw {
            let iy = oy * s - p + i, ix = ox * s - p + j
            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
            sum += Double(x[b, ci, iy, ix]) * Double(weight[o, ci, i, j])
        } } }
        y[((b * k + o) * oh + oy) * ow + ox] = sum
    } } } }
    return y
}

@Suite struct ConvolutionTests {
    @Test(arguments: convCases)
    func forwardMatchesDirectConvolution(_ t: ConvCase) {
        var rng = SeededGenerator(seed: 1)
        let conv = Conv2d(inChannels: t.c, outChannels: t.k, kernelSize: t.kernel, stride: t.stride,
                          padding: t.padding, bias: t.bias, using: &rng)
        let x = Tensor.uniform(shape: [t.n, t.c, t.h, t.w], in: -1...1, using: &rng)
        let y = conv.forward(x, .inference)
        let expected = referenceConvolution(x, conv.weight.value, conv.bias?.value, stride: t.stride, padding: t.padding)
        #expect(y.shape == [t.n, t.k, (t.h + 2 * t.padding - t.kernel) / t.stride + 1, (t.w + 2 * t.padding - t.kernel) / t.stride + 1])
        // Float32 sums of at most 72 products of values below 1: rounding stays under 1e-5.
        let close = closeness(y.values, expected.map(Float.init), absolute: 1e-5)
        #expect(close.passes, "\(close)")
    }

    @Test(arguments: convCases)
    func backwardMatchesFiniteDifferences(_ t: ConvCase) {
        var rng = SeededGenerator(seed: 2)
        let conv = Conv2d(inChannels: t.c, outChannels: t.k, kernelSize: t.kernel, stride: t.stride,
                          padding: t.padding, bias: t.bias, using: &rng)
        let x = Tensor.uniform(shape: [t.n, t.c, t.h, t.w], in: -1...1, using: &rng)
        let checks = checkGradients(of: conv, input: x)
        #expect(checks.count == 2 * (t.bias ? 3 : 2))
        // The layer is linear, so central differences are exact up to Float32 rounding of L.
        for check in checks { #expect(check.within(1e-3), "\(check)") }
    }

    @Test func frozenWeightGetsNoGradientAndInputGradientOnlyWhenAsked() {
        var rng = SeededGenerator(seed: 3)
        let conv = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, bias: true, using: &rng)
        conv.weight.isTrainable = false
        let x = Tensor.uniform(shape: [2, 2, 5, 5], in: -1...1, using: &rng)
        let y = conv.forward(x, .train)
        let dx = conv.backward(Tensor(shape: y.shape, repeating: 1), needsInputGradient: false)
        #expect(dx == nil)
        #expect(conv.weight.grad == nil)
        // Bias gradient of Σy is the number of output pixels per channel.
        #expect(conv.bias!.grad!.values == [Float](repeating: 50, count: 3))
    }

    @Test func nothingRecordedWithoutBackward() {
        var rng = SeededGenerator(seed: 4)
        let conv = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, using: &rng)
        let x = Tensor.uniform(shape: [1, 2, 40, 40], in: -1...1, using: &rng)
        weak var weakInput: Tensor?
        do {
            let input = x.copy()
            weakInput = input
            _ = conv.forward(input, .inference)
        }
        #expect(weakInput == nil, "an inference forward must not keep its input alive")
    }
}
