@testable import NeuralCore
import Testing

@Suite struct MemoryMeterTests {
    @Test func countsLiveBytesAndHighWaterMark() {
        let meter = MemoryMeter.shared
        let before = meter.liveBytes
        meter.resetPeak()
        var big: Tensor? = Tensor(shape: [1 << 20])          // 4 MiB, cached size class
        let small = Tensor(shape: [10])                        // 40 bytes, rounded to 4 KiB
        #expect(meter.liveBytes - before == (4 << 20) + 4096)
        #expect(meter.peakBytes >= meter.liveBytes)
        big = nil
        #expect(meter.liveBytes - before == 4096)
        #expect(meter.peakBytes - before >= (4 << 20) + 4096, "the peak remembers the freed tensor")
        meter.resetPeak()
        #expect(meter.peakBytes == meter.liveBytes)
        _ = (big, small)
    }

    @Test func freedBuffersAreReusedFromTheCache() {
        let meter = MemoryMeter.shared
        var first: Tensor? = Tensor(uninitializedShape: [3, 1000, 1000])
        let address = first!.data
        first = nil
        #expect(meter.cachedBytes >= 12_000_000)
        let second = Tensor(uninitializedShape: [3, 1000, 1000])
        #expect(second.data == address, "same size class: the cached buffer comes back")
        _ = first
    }

    @Test func aViewSharesItsStorageAndCountsNoBytes() {
        let meter = MemoryMeter.shared
        var storage: Tensor? = Tensor(shape: [1 << 18], repeating: 1)
        let live = meter.liveBytes
        var view: Tensor? = Tensor(viewing: storage!, offset: 100, shape: [2, 3])
        #expect(meter.liveBytes == live, "a view allocates nothing")
        view![1, 2] = 7
        #expect(storage![105] == 7, "writes through the view reach the storage")
        let viewOfView = Tensor(viewing: view!, offset: 5, shape: [1])
        #expect(viewOfView[0] == 7)
        storage = nil
        #expect(meter.liveBytes == live, "the views keep the storage alive")
        view = nil
        #expect(viewOfView[0] == 7)
        _ = (storage, view)
    }

    @Test func trainableParameterGradientsAreAllocatedOnFirstBackwardOnly() {
        var rng = SeededGenerator(seed: 31)
        let conv = Conv2d(inChannels: 2, outChannels: 2, kernelSize: 1, using: &rng)
        #expect(conv.weight.grad == nil)
        let x = Tensor.uniform(shape: [1, 2, 3, 3], in: -1...1, using: &rng)
        _ = conv.forward(x, .train)
        _ = conv.backward(Tensor(shape: [1, 2, 3, 3], repeating: 1), needsInputGradient: false)
        #expect(conv.weight.grad != nil)
        conv.weight.isTrainable = false
        #expect(conv.weight.grad == nil, "freezing releases the gradient")
    }
}
