import Foundation
import TestSupport
import Testing
@testable import YOLOv5

/// The project's model YAML of that name under Experiments/models.
func projectModel(_ name: String) throws -> ModelSpec {
    try ModelSpec(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Experiments/models/\(name).yaml"))
}

struct ModelCounts: Decodable {
    let layers: Int
    let parameters: Int
    let named_parameters: Int
}

struct ParameterSummary: Decodable {
    let models: [String: ModelCounts]
}

/// One name/shape listing of `param-names/` compared with a built model.
struct NamesCase: CustomTestStringConvertible, Sendable {
    let listing: String
    let project: String?
    let fixtureYAML: String?
    var testDescription: String { project ?? fixtureYAML! }
}

let namesCases: [NamesCase] = [
    NamesCase(listing: "yolov5n", project: "yolov5n", fixtureYAML: nil),
    NamesCase(listing: "yolov5s", project: "yolov5s", fixtureYAML: nil),
    NamesCase(listing: "yolov5m", project: "yolov5m", fixtureYAML: nil),
    NamesCase(listing: "yolov5s-v4", project: "yolov5s-v4", fixtureYAML: nil),
    NamesCase(listing: "yolov5s-v3-bcsp", project: "yolov5s-v3-bcsp", fixtureYAML: nil),
    // YOLOv5's own files, read as they are.
    NamesCase(listing: "yolov5s-v4", project: nil, fixtureYAML: "yolov5s-v4.yaml"),
    NamesCase(listing: "yolov5s-v3-bcsp", project: nil, fixtureYAML: "yolov5s-v3-bcsp.yaml"),
]

@Suite struct ModelNamesTests {
    func spec(_ c: NamesCase) throws -> ModelSpec {
        if let project = c.project { return try projectModel(project) }
        return try ModelSpec(contentsOf: Fixtures.url(c.fixtureYAML!))
    }

    @Test(arguments: namesCases)
    func namesShapesAndOrderEqualPyTorch(_ c: NamesCase) throws {
        let model = try YOLOv5Model(spec: spec(c), classCount: 20)
        let expected = try Fixtures.text("param-names/\(c.listing).txt").split(separator: "\n").map { line in
            let parts = line.split(separator: "\t")
            return (String(parts[0]), parts[1].split(separator: ",").map { Int($0)! })
        }
        let actual = model.namedParameters().map { ($0.0, $0.1.value.shape) }
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(a.0 == e.0 && a.1 == e.1, "\(a.0) \(a.1) vs PyTorch \(e.0) \(e.1)")
        }
    }

    @Test(arguments: ["yolov5n", "yolov5s", "yolov5m", "yolov5l", "yolov5x", "yolov5s-v4", "yolov5s-v3-bcsp"], [20, 80])
    func countsEqualTheModelSummary(_ name: String, _ nc: Int) throws {
        let summary = try Fixtures.json("param-names/summary.json", as: ParameterSummary.self)
        let counts = try #require(summary.models["\(name) nc=\(nc)"])
        let model = try YOLOv5Model(spec: projectModel(name), classCount: nc)
        #expect(model.parameterCount == counts.parameters)
        #expect(model.namedParameters().count == counts.named_parameters)
        #expect(model.moduleCount == counts.layers, "YOLOv5's summary 'layers' (unique modules)")
    }

    @Test func stateDictAddsBuffersInPyTorchOrder() throws {
        let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 20)
        let keys = model.stateDict().map(\.0)
        #expect(keys.count == 292, "177 parameters + 57 BN × 2 running statistics + anchors")
        #expect(Array(keys.prefix(5)) == ["model.0.conv.weight", "model.0.bn.weight", "model.0.bn.bias",
                                          "model.0.bn.running_mean", "model.0.bn.running_var"])
        #expect(Array(keys.suffix(7)) == ["model.24.anchors", "model.24.m.0.weight", "model.24.m.0.bias",
                                          "model.24.m.1.weight", "model.24.m.1.bias", "model.24.m.2.weight", "model.24.m.2.bias"])
    }

    @Test func stridesAnchorsAndFreshInitialisation() throws {
        let model = try YOLOv5Model(spec: projectModel("yolov5n"), classCount: 20)
        #expect(model.detect.strides == [8, 16, 32])
        let anchors = model.detect.anchors.values
        #expect(anchors[0] == 10.0 / 8 && anchors[1] == 13.0 / 8 && anchors[17] == 326.0 / 32)
        // PyTorch's build leaves every BN at running_var 0.9 (stride probe at momentum 0.1).
        #expect(model.namedBatchNorms.allSatisfy { $0.1.runningVariance.values.allSatisfy { $0 == 0.9 } })
        // Detect bias prior added to U(±1/√fan_in): obj + ln(8/(640/s)²), cls + ln(0.6/(nc − 0.99999)).
        let fanInBound = 1 / Float(64).squareRoot()  // level 0 of yolov5n reads 64 channels
        let bias = model.detect.convolutions[0].bias!.value.values
        let objPrior = Float(log(8.0 / pow(640.0 / 8, 2)))
        let clsPrior = Float(log(0.6 / (20 - 0.99999)))
        for a in 0..<3 {
            #expect(abs(bias[a * 25 + 4] - objPrior) <= fanInBound + 1e-6)
            #expect(abs(bias[a * 25 + 7] - clsPrior) <= fanInBound + 1e-6)
            #expect(abs(bias[a * 25 + 0]) <= fanInBound)
        }
        // Conv weights: U(±1/√fan_in), fan_in = 3·6·6 for layer 0.
        let w = model.namedParameters()[0].1.value.values
        let bound = 1 / Float(3 * 36).squareRoot()
        #expect(w.allSatisfy { abs($0) <= bound } && w.contains { abs($0) > 0.9 * bound })
    }
}
