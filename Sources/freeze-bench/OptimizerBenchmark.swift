import ArgumentParser
import Foundation
import NeuralCore
import Training
import YOLOv5

/// `freeze-bench optimizer`: milliseconds per optimizer step (gradient clipping, SGD, zeroing the
/// gradients) and per EMA update, per model and freeze: the part of a training step that does
/// not depend on the image size or the batch.
struct OptimizerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimizer",
        abstract: "Optimizer step (clip, SGD, zero) and EMA update time per model and freeze.")

    @Option(parsing: .upToNextOption, help: "Model YAMLs.")
    var models = ["Experiments/models/yolov5n.yaml", "Experiments/models/yolov5s.yaml"]
    @Option(parsing: .upToNextOption, help: "Freeze counts (train.py --freeze N).") var freeze = [0, 10, 24]
    @Option(help: "Timed repetitions (the median is reported).") var repeats = 41

    func run() throws {
        print("threads \(computeCores); median of \(repeats) repetitions")
        print("| model | freeze | trainable parameters | optimizer ms (clip + SGD + zero) | EMA ms |")
        print("| --- | --- | --- | --- | --- |")
        for path in models {
            for count in freeze {
                let spec = try ModelSpec(contentsOf: URL(fileURLWithPath: path))
                let model = try YOLOv5Model(spec: spec, classCount: 20, seed: 0)
                try model.applyFreeze(count == 0 ? .nothing : FreezeSpec(firstLayers: count))
                let hyp = try Hyperparameters(contentsOf: URL(fileURLWithPath: "Experiments/hyps/hyp.scratch-low.yaml"))
                let trainer = try Trainer(model: model, settings: TrainingSettings(epochs: 1, batchSize: 16, imageSize: 64, hyp: hyp),
                                          train: InMemoryBatches([]), validation: nil)
                // One real backward so that every trainable parameter has its gradient.
                var rng = SeededGenerator(seed: 1)
                let images = Tensor.uniform(shape: [1, 3, 64, 64], in: 0...1, using: &rng)
                let raw = model.forward(images, training: true, recordsForBackward: true)
                model.backward(trainer.loss(raw, targets: [DetectionTarget(image: 0, classIndex: 1, x: 0.5, y: 0.5, w: 0.3, h: 0.4)],
                                            detect: model.detect).gradients)
                let optimizer = trainer.optimizer, ema = trainer.ema
                func median(_ body: () -> Void) -> Double {
                    var times: [Double] = []
                    for _ in 0..<repeats {
                        let start = monotonicSeconds()
                        body()
                        times.append(monotonicSeconds() - start)
                    }
                    return times.sorted()[repeats / 2] * 1e3
                }
                let optimizerMs = median {
                    optimizer.clipGradientNorm(maxNorm: 10)
                    optimizer.step()
                    optimizer.zeroGradients()
                }
                let emaMs = median { ema.update() }
                let trainable = model.namedParameters().filter { $0.1.isTrainable }.map(\.1.count).reduce(0, +)
                let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                print(String(format: "| %@ | %d | %d | %.2f | %.2f |", name, count, trainable, optimizerMs, emaMs))
            }
        }
    }
}
