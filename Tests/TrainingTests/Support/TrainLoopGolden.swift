import Foundation
import HDF5
import NeuralCore
import TestSupport
import Training
import YOLOv5

/// `../shared/fixtures/yolov5n-trainloop-golden.h5` (fixtures README §5): 112 iterations of
/// train.py v7's inner loop on 8 fixed batches, for `none` and `freeze10`.
struct TrainLoopGolden {
    let file: HDF5File
    /// Runs in the file.
    static let runs = ["none", "freeze10"]

    init() throws { file = try Fixtures.hdf5("yolov5n-trainloop-golden.h5") }

    /// The 8 batches: images `float(uint8) / 255` as the script feeds them, targets (image, class, x, y, w, h).
    func batches() throws -> [TrainingBatch] {
        let data = try file.root.group("data")
        return try (0..<8).map { i in
            let images = try data.dataset("images\(i)")
            let pixels = try images.read(UInt8.self).map { Float($0) / 255 }
            let rows = try data.dataset("targets\(i)").read(Float.self)
            let targets = stride(from: 0, to: rows.count, by: 6).map {
                DetectionTarget(image: Int(rows[$0]), classIndex: Int(rows[$0 + 1]), x: rows[$0 + 2], y: rows[$0 + 3],
                                w: rows[$0 + 4], h: rows[$0 + 5])
            }
            return TrainingBatch(images: Tensor(shape: images.shape, values: pixels), targets: targets)
        }
    }

    /// `/<run>/log/<name>` as float64 (per iteration; `lr` and `momentum` row-major [112, 3]).
    func log(_ run: String, _ name: String) throws -> [Double] {
        try file.root.group("\(run)/log").dataset(name).read(Double.self)
    }

    /// `/<run>/state_names`: the order of `step_stats`' tensor axis.
    func stateNames(_ run: String) throws -> [String] { try file.root.group(run).dataset("state_names").readStrings() }

    /// `/<run>/step_stats` [steps][tensors] (sum, sum of squares), or the 1-thread run's absolute
    /// differences from it (`noise_step_stats`).
    func stepStatistics(_ run: String, noise: Bool = false) throws -> [[(sum: Double, squares: Double)]] {
        let dataset = try file.root.group(run).dataset(noise ? "noise_step_stats" : "step_stats")
        let (steps, tensors) = (dataset.shape[0], dataset.shape[1])
        let values = try dataset.read(Double.self)
        return (0..<steps).map { s in (0..<tensors).map { t in (values[(s * tensors + t) * 2], values[(s * tensors + t) * 2 + 1]) } }
    }

    /// Every tensor of `/<run>/<group>` (`model` or `ema`) by state name.
    func state(_ run: String, _ group: String) throws -> [String: Tensor] {
        let g = try file.root.group("\(run)/\(group)")
        var result: [String: Tensor] = [:]
        for name in try g.memberNames() { result[name] = try g.tensor(name) }
        return result
    }

    func doubleAttribute(_ run: String, _ name: String) throws -> Double { try file.root.group(run).doubleAttribute(name) }

    /// A float64 dataset of `/<run>` (`noise_model_rel`, `noise_loss`, …).
    func series(_ run: String, _ name: String) throws -> [Double] { try file.root.group(run).dataset(name).read(Double.self) }
}

/// yolov5n (nc 20) with the weights the fixture starts from: `/params` of yolov5n-golden.h5.
func trainLoopStartingModel() throws -> YOLOv5Model {
    let spec = try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/yolov5n.yaml"))
    let model = try YOLOv5Model(spec: spec, classCount: 20)
    let report = model.load(stateDict: try GoldenFile().parameters())
    precondition(report.loaded.count == 292 && report.kept.isEmpty, "golden weights: \(report.kept)")
    return model
}

/// Per optimizer step, (Σx, Σx²) in Double of every state tensor, in `names` order (the
/// fixture's `step_stats`).
func stateStatistics(_ model: YOLOv5Model, names: [String]) -> [(sum: Double, squares: Double)] {
    let state = Dictionary(uniqueKeysWithValues: model.stateDict())
    return names.map { name in
        var sum = 0.0, squares = 0.0
        for x in state[name]!.values {
            sum += Double(x)
            squares += Double(x) * Double(x)
        }
        return (sum, squares)
    }
}

/// Records what the golden loop log holds, iteration by iteration, while the trainer runs.
final class LoopRecorder: TrainingObserver {
    weak var trainer: Trainer?
    let stateNames: [String]
    /// Statistics are taken after the first `statisticsSteps` optimizer steps only.
    let statisticsSteps: Int
    var iterations: [IterationReport] = []
    var emaUpdates: [Int] = []
    var stepStatistics: [[(sum: Double, squares: Double)]] = []

    init(stateNames: [String], statisticsSteps: Int) {
        self.stateNames = stateNames
        self.statisticsSteps = statisticsSteps
    }

    func trainer(didFinishIteration report: IterationReport) {
        iterations.append(report)
        emaUpdates.append(trainer!.ema.updates)
        if report.optimizerStepped && stepStatistics.count < statisticsSteps {
            stepStatistics.append(stateStatistics(trainer!.model, names: stateNames))
        }
    }

    func trainer(didFinishEpoch report: EpochReport) throws {}
}
