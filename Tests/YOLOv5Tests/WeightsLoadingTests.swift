import Checkpoints
import Foundation
import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

@Suite struct WeightsLoadingTests {
    @Test func pytorchCheckpointLoadsEveryTensorByName() throws {
        let weights = try Weights(contentsOf: Fixtures.url("yolov5n-ckpt.pt"))
        let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 20)
        let report = try model.load(weights)
        #expect(report.loaded.count == 292 && report.kept.isEmpty, "\(report.kept)")
        // The checkpoint holds the golden weights rounded to float16.
        let golden = try GoldenFile().parameters()
        for (name, tensor) in model.stateDict() {
            let rounded = golden[name]!.values.map { Float(Float16($0)) }
            #expect(tensor.values == rounded, "\(name)")
        }
    }

    @Test func aTrainPyCheckpointStartsFromItsModelEntryAsTrainPyDoes() throws {
        // train.py: `csd = ckpt['model'].float().state_dict()`. The fixture holds both entries;
        // the generic reader prefers 'ema', so this pins the choice to train.py's.
        let checkpoint = try TorchCheckpoint.load(Fixtures.url("yolov5n-ckpt.pt"))
        #expect(try checkpoint.stateDict().sourceKey == "ema")
        #expect(try Weights.trainPyState(checkpoint).sourceKey == "model")
        let weights = try Weights(contentsOf: Fixtures.url("yolov5n-ckpt.pt"))
        #expect(weights.description.contains("'model' of"), "\(weights.description)")
    }

    @Test func differentClassCountKeepsTheDetectOutputs() throws {
        let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 80)
        let report = try model.load(Weights(contentsOf: Fixtures.url("yolov5n-ckpt.pt")))
        #expect(report.kept.map(\.name).sorted() == (0..<3).flatMap { ["model.24.m.\($0).bias", "model.24.m.\($0).weight"] })
        #expect(report.loaded.count == 286)
    }

    @Test func anotherArchitectureIsAnError() throws {
        let model = try YOLOv5Model(spec: projectModel("yolov5s"), classCount: 20)
        let weights = try Weights(contentsOf: Fixtures.url("yolov5n-ckpt.pt"))
        let before = model.stateDict().map(\.1.values)
        do {
            try model.load(weights)
            Issue.record("yolov5n weights loaded into yolov5s without an error")
        } catch let error as WeightsMismatch {
            #expect(error.description.contains("only 3 of this model's 177 parameter tensors match"), "\(error)")
        }
        #expect(model.stateDict().map(\.1.values) == before, "a refused file changes nothing")
    }
}
