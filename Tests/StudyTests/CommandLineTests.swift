import Foundation
import Testing
import TestSupport
import Training
@testable import Study

@Suite(.serialized) struct CommandLineTests {
    let experiments = Fixtures.repositoryRoot.appendingPathComponent("Experiments")

    @Test func layersPrintsEveryParameterAndASummary() throws {
        let result = try runFreezeStudy(["layers", "--model", experiments.appendingPathComponent("models/yolov5n.yaml").path,
                                         "--nc", "20", "--freeze", "10"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 178)
        #expect(lines.first == "model.0.conv.weight\t16x3x6x6\tfrozen")
        #expect(lines[99] == "model.10.conv.weight\t128x256x1x1\ttrainable")
        #expect(lines.last!.contains("1790977 parameters") && lines.last!.contains("744609 trainable")
                && lines.last!.contains("1046368 frozen"), "\(lines.last!)")
    }

    @Test func layersWithWeightsSaysWhatLoaded() throws {
        let result = try runFreezeStudy(["layers", "--model", experiments.appendingPathComponent("models/yolov5n.yaml").path,
                                         "--nc", "80", "--weights", try Fixtures.url("yolov5n-ckpt.pt").path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("model.0.conv.weight\t16x3x6x6\ttrainable\tloaded"))
        #expect(result.output.contains("model.24.m.0.weight\t255x64x1x1\ttrainable\tinitialised"))
        #expect(result.output.contains("from yolov5n-ckpt.pt ('model' of "), "which entry of the .pt was loaded")
    }

    @Test func badInputExitsNonZeroWithTheReason() throws {
        let spec = try runFreezeStudy(["layers", "--model", experiments.appendingPathComponent("models/yolov5n.yaml").path, "--freeze", "40"])
        #expect(spec.status != 0 && spec.error.contains("layer 25 does not exist"), "\(spec.error)")
        let missing = try runFreezeStudy(["report", "--results", "/nonexistent/results.h5"])
        #expect(missing.status != 0 && missing.error.contains("/nonexistent/results.h5"), "\(missing.error)")
        let study = try runFreezeStudy(["scenarios", "--study", "/nonexistent.yaml"])
        #expect(study.status != 0 && study.error.contains("/nonexistent.yaml"), "\(study.error)")
    }

    @Test func scenariosListsCountsWithoutTraining() throws {
        let result = try runFreezeStudy(["scenarios", "--study", experiments.appendingPathComponent("freeze-study.yaml").path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("backbone") && result.output.contains("744609") && result.output.contains("1046368"))
        #expect(result.output.contains("all-but-detect") && result.output.contains("33825"))
        #expect(result.output.contains("3 scenarios × seeds"), "\(result.output)")
    }
}
