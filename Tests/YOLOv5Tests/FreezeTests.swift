import NeuralCore
import TestSupport
import Testing
@testable import YOLOv5

@Suite struct FreezeSpecTests {
    @Test func parsesWhatYOLOv5UsersType() throws {
        #expect(try FreezeSpec(parsing: "10").patterns == (0..<10).map { "model.\($0)." })
        #expect(try FreezeSpec(parsing: "0-3").patterns == ["model.0.", "model.1.", "model.2.", "model.3."])
        #expect(try FreezeSpec(parsing: "[0, 2, 5]").patterns == ["model.0.", "model.2.", "model.5."])
        #expect(try FreezeSpec(parsing: "1,3").patterns == ["model.1.", "model.3."])
        #expect(try FreezeSpec(parsing: "model.2.cv1.,model.24.m.0.").patterns == ["model.2.cv1.", "model.24.m.0."])
        #expect(try FreezeSpec(parsing: "none") == .nothing)
        #expect(try FreezeSpec(parsing: "0") == .nothing)
        #expect(try FreezeSpec(parsing: "[]") == .nothing)
    }

    @Test(arguments: ["-3", "9-2", "model.2 cv1", "[1, model.2.]", "0-3,x y"])
    func rejectsMalformedSpecs(_ text: String) {
        #expect(throws: FreezeSpecError.self) { try FreezeSpec(parsing: text) }
    }

    @Test func theTrailingDotKeepsLayerOneFromMatchingLayerTen() {
        let spec = FreezeSpec(firstLayers: 2)
        #expect(spec.freezes("model.1.conv.weight"))
        #expect(!spec.freezes("model.10.conv.weight") && !spec.freezes("model.12.cv1.bn.bias"))
    }

    @Test func aSpecThatMatchesNothingIsAnError() throws {
        let model = try tinyModel()
        #expect(throws: FreezeSpecError.self) { try model.applyFreeze(FreezeSpec(layers: [3, 30])) }
        #expect(throws: FreezeSpecError.self) { try model.applyFreeze(FreezeSpec(layers: [11, 12])) }  // Upsample, Concat
        #expect(try model.applyFreeze(FreezeSpec(layers: [10, 11])).frozenTensors == 3)
        #expect(throws: FreezeSpecError.self) { try model.applyFreeze(FreezeSpec(patterns: ["model.2.cv9."])) }
    }

    @Test func countsMatchTrainPy() throws {
        // RECIPE.md §5 (v7 yolov5m, nc 20): freeze 10 = 141 tensors / 12,167,904 parameters
        // frozen; freeze 24 = 237 / 20,847,072.
        let model = try YOLOv5Model(spec: projectModel("yolov5m"), classCount: 20)
        let backbone = try model.applyFreeze(FreezeSpec(firstLayers: 10))
        #expect(backbone.frozenTensors == 141 && backbone.frozenParameters == 12_167_904)
        #expect(backbone.trainableParameters == 8_780_193)
        let head = try model.applyFreeze(FreezeSpec(firstLayers: 24))
        #expect(head.frozenTensors == 237 && head.frozenParameters == 20_847_072 && head.trainableParameters == 101_025)
    }
}

@Suite struct FreezeBehaviourTests {
    /// Runs `steps` training steps of w −= lr·g by hand with L = Σ raw·r.
    func handSteps(_ model: YOLOv5Model, _ x: Tensor, steps: Int) {
        var rng = SeededGenerator(seed: 61)
        for _ in 0..<steps {
            for (_, p) in model.namedParameters() { p.zeroGradient() }
            let raw = model.forward(x, training: true, recordsForBackward: true)
            model.backward(raw.map { Tensor.uniform(shape: $0.shape, in: -1...1, using: &rng) })
            for (_, p) in model.namedParameters() where p.isTrainable {
                let g = p.grad!
                for i in 0..<p.count { p.value.data[i] -= 0.01 * g.data[i] }
            }
        }
    }

    @Test(arguments: [BatchNormPolicy.update, .frozen])
    func frozenTensorsStayBitIdenticalAndBatchNormFollowsThePolicy(_ policy: BatchNormPolicy) throws {
        let model = try tinyModel()
        try model.applyFreeze(FreezeSpec(firstLayers: 10), batchNorm: policy)
        let before = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.values) })
        var rng = SeededGenerator(seed: 62)
        handSteps(model, Tensor.uniform(shape: [2, 3, 64, 64], in: 0...1, using: &rng), steps: 3)
        for (name, parameter) in model.namedParameters() {
            let frozen = FreezeSpec(firstLayers: 10).freezes(name)
            #expect(parameter.isTrainable == !frozen)
            if frozen {
                #expect(parameter.value.values == before[name]!, "\(name) moved")
                #expect(parameter.grad == nil, "\(name) has a gradient buffer")
            } else {
                #expect(parameter.value.values != before[name]!, "\(name) did not train")
            }
        }
        for (name, bn) in model.namedBatchNorms {
            let layer = Int(name.split(separator: ".")[1])!
            let moved = bn.runningMean.values != before[name + ".running_mean"]!
            if layer < 10 {
                #expect(moved == (policy == .update), "\(name): frozen BN statistics under bn: \(policy)")
            } else {
                #expect(moved, "\(name): trainable BN statistics always update")
            }
        }
    }

    @Test func trainableGradientsAreTheSameWithAFrozenPrefix() throws {
        // The golden file's freeze-10 check: the 99 backbone tensors have no gradient; the
        // other 78 equal the unfrozen run's (bitwise in PyTorch).
        let golden = try GoldenFile()
        let model = try goldenModel(golden)
        try model.applyFreeze(FreezeSpec(firstLayers: 10))
        let raw = model.forward(try golden.tensor("input"), training: true, recordsForBackward: true)
        let loss = DetectionLoss(settings: goldenLossSettings)(raw, targets: try goldenTargets(golden), detect: model.detect)
        model.backward(loss.gradients)
        let noGradient = Set(try golden.file.root.dataset("freeze10/grad_none_names").readStrings())
        #expect(noGradient.count == 99)
        let grads = try golden.file.root.group("freeze10/grads")
        for (name, parameter) in model.namedParameters() {
            if noGradient.contains(name) {
                #expect(parameter.grad == nil, "\(name)")
            } else {
                let scaled = scaledMaxDifference(parameter.grad!.values, try grads.tensor(name).values)
                #expect(scaled <= 1e-3, "\(name): \(scaled)")
            }
        }
        let unfrozen = try goldenModel(golden)
        _ = unfrozen.forward(try golden.tensor("input"), training: true, recordsForBackward: true)
        unfrozen.backward(loss.gradients)
        for ((name, frozenRun), (_, fullRun)) in zip(model.namedParameters(), unfrozen.namedParameters()) where frozenRun.isTrainable {
            #expect(frozenRun.grad!.values == fullRun.grad!.values, "\(name): a frozen prefix must not change trainable gradients")
        }
    }

    @Test func aFrozenPrefixRecordsNothingAndAllocatesNoGradients() throws {
        let meter = MemoryMeter.shared
        var rng = SeededGenerator(seed: 63)
        let x = Tensor.uniform(shape: [2, 3, 128, 128], in: 0...1, using: &rng)
        var kept: [String: Int] = [:]
        for (label, spec) in [("none", FreezeSpec.nothing), ("10", FreezeSpec(firstLayers: 10)), ("24", FreezeSpec(firstLayers: 24))] {
            let model = try tinyModel()
            try model.applyFreeze(spec)
            let base = meter.liveBytes
            let raw = model.forward(x, training: true, recordsForBackward: true)
            kept[label] = meter.liveBytes - base - raw.map(\.byteCount).reduce(0, +)
            model.backward(raw.map { Tensor(shape: $0.shape, repeating: 0.01) })
            let withGradient = model.namedParameters().filter { $0.1.grad != nil }.map(\.0)
            #expect(withGradient.allSatisfy { !spec.freezes($0) } && withGradient.count == model.namedParameters().filter { $0.1.isTrainable }.count)
        }
        // Saved activations: everything for none, the head for 10, only Detect's inputs for 24.
        #expect(kept["10"]! < kept["none"]! / 2, "\(kept)")
        #expect(kept["24"]! < kept["10"]! / 4, "\(kept)")
    }
}
