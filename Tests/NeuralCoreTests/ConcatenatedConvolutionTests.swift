import NeuralCore
import TestSupport
import Testing

/// A 1×1 convolution reading a concatenation part by part (`forward(concatenating:)`).
@Suite struct ConcatenatedConvolutionTests {
    func parts(_ channels: [Int], n: Int, h: Int, w: Int, using rng: inout SeededGenerator) -> [Tensor] {
        channels.map { Tensor.uniform(shape: [n, $0, h, w], in: -1...1, using: &rng) }
    }

    @Test(arguments: [[3, 5], [2, 2, 2, 2], [7]])
    func equalsConcatenationThenConvolution(_ channels: [Int]) {
        var rng = SeededGenerator(seed: 81)
        let conv = Conv2d(inChannels: channels.reduce(0, +), outChannels: 4, kernelSize: 1, bias: true, using: &rng)
        let xs = parts(channels, n: 3, h: 5, w: 6, using: &rng)
        let concat = Concat()
        let whole = concat.forward(xs, .train)
        let expected = conv.forward(whole, .train)
        let dy = Tensor.uniform(shape: expected.shape, in: -1...1, using: &rng)
        let expectedParts = concat.backward(conv.backward(dy, needsInputGradient: true)!)
        let expectedWeight = conv.weight.grad!.copy(), expectedBias = conv.bias!.grad!.copy()
        conv.weight.zeroGradient(); conv.bias!.zeroGradient()

        let y = conv.forward(concatenating: xs, .train)
        let dParts = conv.backward(concatenated: dy, needsInputGradient: true)!
        // Sums of at most 7 products, in another grouping: rounding only, below 1e-6.
        #expect(closeness(y.values, expected.values, absolute: 1e-6).passes)
        for (d, e) in zip(dParts, expectedParts) { #expect(closeness(d.values, e.values, absolute: 1e-6).passes) }
        #expect(closeness(conv.weight.grad!.values, expectedWeight.values, absolute: 1e-5).passes)
        #expect(conv.bias!.grad!.values == expectedBias.values)
    }

    /// Central differences of L = Σ y·r for every part and the weight, moved together.
    @Test func backwardMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 82)
        let conv = Conv2d(inChannels: 6, outChannels: 3, kernelSize: 1, using: &rng)
        let xs = parts([4, 2], n: 2, h: 4, w: 3, using: &rng)
        let r = Tensor.uniform(shape: [2, 3, 4, 3], in: -1...1, using: &rng)
        _ = conv.forward(concatenating: xs, .train)
        let dParts = conv.backward(concatenated: r, needsInputGradient: true)!
        let check = checkDirectional(name: "parts and weight", tensors: xs + [conv.weight.value], gradients: dParts + [conv.weight.grad!],
                                     step: 1e-2, seed: 83) {
            conv.forward(concatenating: xs, .inference).dot(r)
        }
        // Linear in every input: exact up to Float32 rounding of L.
        #expect(check.within(1e-3), "\(check)")
    }

    @Test func frozenWeightAndNoInputGradient() {
        var rng = SeededGenerator(seed: 84)
        let conv = Conv2d(inChannels: 3, outChannels: 2, kernelSize: 1, using: &rng)
        let xs = parts([1, 2], n: 2, h: 3, w: 3, using: &rng)
        conv.weight.isTrainable = false
        _ = conv.forward(concatenating: xs, .train)
        #expect(conv.backward(concatenated: Tensor(shape: [2, 2, 3, 3], repeating: 1), needsInputGradient: true)?.count == 2)
        #expect(conv.weight.grad == nil)
        conv.weight.isTrainable = true
        _ = conv.forward(concatenating: xs, .train)
        #expect(conv.backward(concatenated: Tensor(shape: [2, 2, 3, 3], repeating: 1), needsInputGradient: false) == nil)
        #expect(conv.weight.grad != nil)
    }
}
