import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

/// Runs may get one or two threads each, and a study compares them: a training step must give
/// the same bits whatever the thread count (the kernels' partition is a fixed plan; threads
/// only execute it).
@Suite(.serialized) struct ThreadIndependenceTests {
    /// Everything one training step produces, as raw bits.
    struct StepResult: Equatable {
        var outputs: [[UInt32]] = []
        var lossBits: UInt64 = 0
        var gradients: [String: [UInt32]] = [:]
        var buffers: [String: [UInt32]] = [:]
    }

    /// One forward (training mode), YOLOv5's loss and one backward with `threads` threads, on a
    /// fresh model with the same seed.
    func trainingStep(threads: Int, freeze: Int, batch: Int, size: Int) throws -> StepResult {
        let previous = computeCores
        setComputeThreads(threads)
        defer { setComputeThreads(previous) }
        // yolov5n as it is (16–256 channels): large enough that every kernel path (image chunks,
        // Winograd blocks, column splits) has several parts.
        let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 3, seed: 11)
        if freeze > 0 { try model.applyFreeze(FreezeSpec(firstLayers: freeze)) }
        var rng = SeededGenerator(seed: 12)
        let images = Tensor.uniform(shape: [batch, 3, size, size], in: 0...1, using: &rng)
        let targets = (0..<(batch * 3)).map { i in
            DetectionTarget(image: i / 3, classIndex: i % 3, x: rng.uniform(0.2, 0.8), y: rng.uniform(0.2, 0.8),
                            w: rng.uniform(0.1, 0.4), h: rng.uniform(0.1, 0.4))
        }
        let raw = model.forward(images, training: true, recordsForBackward: true)
        let loss = DetectionLoss(settings: goldenLossSettings)(raw, targets: targets, detect: model.detect)
        model.backward(loss.gradients)
        var result = StepResult()
        result.outputs = raw.map { $0.values.map(\.bitPattern) }
        result.lossBits = loss.total.bitPattern
        for (name, parameter) in model.namedParameters() where parameter.isTrainable {
            result.gradients[name] = parameter.grad!.values.map(\.bitPattern)
        }
        for (name, buffer) in model.stateDict() where name.hasSuffix("running_mean") || name.hasSuffix("running_var") {
            result.buffers[name] = buffer.values.map(\.bitPattern)
        }
        return result
    }

    @Test(arguments: [(0, 3, 96), (10, 2, 64), (0, 1, 64)])
    func oneAndTwoThreadsGiveTheSameBits(_ freeze: Int, _ batch: Int, _ size: Int) throws {
        let one = try trainingStep(threads: 1, freeze: freeze, batch: batch, size: size)
        let two = try trainingStep(threads: 2, freeze: freeze, batch: batch, size: size)
        #expect(one.gradients.count == (freeze == 0 ? 177 : 78))
        let levels = one.outputs.indices.filter { one.outputs[$0] != two.outputs[$0] }
        #expect(levels.isEmpty, "forward outputs differ at levels \(levels)")
        #expect(one.lossBits == two.lossBits, "the loss differs")
        let differing = one.gradients.keys.filter { one.gradients[$0] != two.gradients[$0] }.sorted()
        #expect(differing.isEmpty, "gradients differ: \(differing.prefix(8))")
        let moved = one.buffers.keys.filter { one.buffers[$0] != two.buffers[$0] }.sorted()
        #expect(moved.isEmpty, "BN running statistics differ: \(moved.prefix(8))")
    }
}
