import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import Training
import YOLOv5

/// A handful of synthetic images: coloured rectangles (class = colour) on a noisy grey background.
func syntheticBatch(images: Int, size: Int, seed: UInt64) -> TrainingBatch {
    var rng = SeededGenerator(seed: seed)
    let tensor = Tensor(shape: [images, 3, size, size])
    var targets: [DetectionTarget] = []
    var info: [ImageInfo] = []
    let colours: [[Float]] = [[0.9, 0.1, 0.1], [0.1, 0.8, 0.2], [0.15, 0.2, 0.9]]
    for n in 0..<images {
        for c in 0..<3 { for p in 0..<(size * size) { tensor.data[(n * 3 + c) * size * size + p] = 0.5 + rng.uniform(-0.05, 0.05) } }
        var labels: [LabeledBox] = []
        var placed: [(Int, Int, Int, Int)] = []
        while labels.count < 2 {
            // At most 40 px and under half the image, so that a second box always fits.
            let largest = min(40, size / 2 - 6)
            let (w, h) = (Int.random(in: 14...largest, using: &rng), Int.random(in: 14...largest, using: &rng))
            let (x0, y0) = (Int.random(in: 2...(size - w - 2), using: &rng), Int.random(in: 2...(size - h - 2), using: &rng))
            guard !placed.contains(where: { x0 < $0.2 + 4 && $0.0 < x0 + w + 4 && y0 < $0.3 + 4 && $0.1 < y0 + h + 4 }) else { continue }
            placed.append((x0, y0, x0 + w, y0 + h))
            let cls = (n + labels.count) % 3
            for c in 0..<3 { for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { tensor.data[((n * 3 + c) * size + y) * size + x] = colours[cls][c] } } }
            labels.append(LabeledBox(classIndex: cls, x1: Float(x0), y1: Float(y0), x2: Float(x0 + w), y2: Float(y0 + h)))
            targets.append(DetectionTarget(image: n, classIndex: cls, x: (Float(x0) + Float(w) / 2) / Float(size),
                                           y: (Float(y0) + Float(h) / 2) / Float(size), w: Float(w) / Float(size), h: Float(h) / Float(size)))
        }
        info.append(ImageInfo(originalWidth: size, originalHeight: size, gain: 1, padX: 0, padY: 0, labels: labels))
    }
    return TrainingBatch(images: tensor, targets: targets, info: info)
}

final class LastEpoch: TrainingObserver {
    var reports: [EpochReport] = []
    func trainer(didFinishIteration report: IterationReport) {}
    func trainer(didFinishEpoch report: EpochReport) throws { reports.append(report) }
}

@Suite struct LearningTests {
    /// The whole loop (assignment, loss, backward, SGD with warm-up, EMA, NMS, AP) learns: yolov5n
    /// from scratch on 8 images of 96 px reaches mAP@0.5 ≥ 0.9 on those images.
    @Test func tinyModelLearnsSyntheticBoxes() throws {
        let start = monotonicSeconds()
        let spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: 1)
        let data = InMemoryBatches([syntheticBatch(images: 8, size: 96, seed: 3)])
        let hyp = try Hyperparameters(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.scratch-low.yaml"))
        var settings = TrainingSettings(epochs: 250, batchSize: 8, imageSize: 96, hyp: hyp)
        settings.nominalBatchSize = 8  // one optimizer step per batch: 250 steps rather than 31
        let trainer = try Trainer(model: model, settings: settings, train: data, validation: nil)
        try trainer.run()
        let result = Evaluator(loss: trainer.loss).evaluate(trainer.ema.model, batches: data.batches(epoch: 0))
        let seconds = monotonicSeconds() - start
        print("learning test: mAP@0.5 \(result.metrics.map50), mAP@0.5:0.95 \(result.metrics.map50to95) after \(seconds) s")
        #expect(result.metrics.map50 >= 0.9, "mAP@0.5 \(result.metrics.map50)")
    }
}

@Suite struct NonFiniteLossTests {
    /// A NaN in the input makes the loss NaN: training stops with the epoch and iteration named.
    @Test func aNaNLossStopsTrainingWithItsPlace() throws {
        var spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
        spec.widthMultiple = 0.125
        let model = try YOLOv5Model(spec: spec, classCount: 3, seed: 1)
        let good = syntheticBatch(images: 2, size: 64, seed: 7)
        let bad = syntheticBatch(images: 2, size: 64, seed: 8)
        bad.images.data[123] = .nan
        let hyp = try Hyperparameters(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/hyps/hyp.scratch-low.yaml"))
        let trainer = try Trainer(model: model, settings: TrainingSettings(epochs: 2, batchSize: 2, imageSize: 64, hyp: hyp),
                                  train: InMemoryBatches([good, good, bad]), validation: nil)
        do {
            try trainer.run()
            Issue.record("training went on through a NaN loss")
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(let epoch, let iteration, let value) = error else { Issue.record("\(error)"); return }
            #expect(epoch == 0 && iteration == 2 && value.isNaN)
            #expect(error.description.contains("epoch 0, iteration 2"), "\(error)")
        }
    }
}
