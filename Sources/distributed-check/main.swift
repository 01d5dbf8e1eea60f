// Trains a few steps of a small model on K MPI ranks, for the tests of data-parallel training
// (`mpirun -np 2 distributed-check INPUTS OUTPUT-PREFIX`). Everything it trains on comes from
// INPUTS, a safetensors file the test wrote: batches `images/<i>` [N, 3, S, S] and
// `targets/<i>` [T, 6] (image, class, x, y, w, h), and metadata naming the model YAML, width
// multiple, classes, seed, frozen layers and hyp file. Rank r takes images r·N/K ..< (r+1)·N/K
// of every batch. Each rank writes OUTPUT-PREFIX-rank<r>.safetensors: `local` and `mean`, its
// gradient arena before and after the first all-reduce, and `model/<name>` after the last step.
import Checkpoints
import Distributed
import Foundation
import NeuralCore
import Training
import YOLOv5

/// Passes every call to the MPI group, keeping the first all-reduce's input and output.
final class RecordingGroup: ProcessGroup {
    let inner: any ProcessGroup
    var local: Tensor?, mean: Tensor?
    init(_ inner: any ProcessGroup) { self.inner = inner }
    var rank: Int { inner.rank }
    var size: Int { inner.size }
    func broadcast(_ tensor: Tensor) { inner.broadcast(tensor) }
    func allreduceMean(_ tensor: Tensor) {
        if local == nil { local = tensor.copy() }
        inner.allreduceMean(tensor)
        if mean == nil { mean = tensor.copy() }
    }
    func allgather(_ values: [Double]) -> [Double] { inner.allgather(values) }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("distributed-check: \(message)\n".utf8))
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fail("usage: mpirun -np K distributed-check INPUTS OUTPUT-PREFIX") }
do {
    let group = RecordingGroup(try Launch.processGroup())
    guard group.size > 1 else { fail("run me under mpirun with more than one rank") }
    ComputeEnvironment.useThreads(1)
    let inputs = try SafeTensors.read(URL(fileURLWithPath: arguments[1]))
    func setting(_ key: String) -> String {
        guard let value = inputs.metadata[key] else { fail("\(arguments[1]): metadata '\(key)' missing") }
        return value
    }
    var spec = try ModelSpec(contentsOf: URL(fileURLWithPath: setting("model")))
    spec.widthMultiple = Double(setting("width_multiple"))!
    let model = try YOLOv5Model(spec: spec, classCount: Int(setting("classes"))!, seed: UInt64(setting("seed"))!)
    try model.applyFreeze(FreezeSpec(firstLayers: Int(setting("frozen_layers"))!))
    let steps = Int(setting("steps"))!
    var batches: [TrainingBatch] = []
    for step in 0..<steps {
        guard let images = inputs.tensors["images/\(step)"], let rows = inputs.tensors["targets/\(step)"] else { fail("batch \(step) missing") }
        let share = images.n / group.size, first = group.rank * share
        let mine = Tensor(shape: [share] + Array(images.shape.dropFirst()))
        mine.assign(Tensor(viewing: images, offset: first * mine.count / share, shape: mine.shape))
        let r = rows.values
        let targets = stride(from: 0, to: r.count, by: 6).compactMap { i -> DetectionTarget? in
            let image = Int(r[i]) - first
            guard (0..<share).contains(image) else { return nil }
            return DetectionTarget(image: image, classIndex: Int(r[i + 1]), x: r[i + 2], y: r[i + 3], w: r[i + 4], h: r[i + 5])
        }
        batches.append(TrainingBatch(images: mine, targets: targets))
    }
    let batchSize = inputs.tensors["images/0"]!.n
    var settings = TrainingSettings(epochs: 1, batchSize: batchSize, imageSize: inputs.tensors["images/0"]!.h,
                                    hyp: try Hyperparameters(contentsOf: URL(fileURLWithPath: setting("hyp"))))
    settings.nominalBatchSize = batchSize  // an optimizer step (and an all-reduce) after every batch
    let trainer = try Trainer(model: model, settings: settings, train: InMemoryBatches(batches), validation: nil)
    trainer.processGroup = group
    trainer.synchronizeStartingWeights()
    _ = try trainer.runEpoch(0)
    guard let local = group.local, let mean = group.mean else { fail("no all-reduce happened") }
    let tensors = [("local", local), ("mean", mean)] + model.namedParameters().map { ("model/" + $0.0, $0.1.value) }
    try SafeTensors.write(tensors: tensors, metadata: ["rank": "\(group.rank)", "size": "\(group.size)"],
                          to: URL(fileURLWithPath: "\(arguments[2])-rank\(group.rank).safetensors"))
} catch {
    fail("\(error)")
}
