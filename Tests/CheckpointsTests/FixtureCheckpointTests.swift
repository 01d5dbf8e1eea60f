@testable import Checkpoints
import Foundation
import TestSupport
import Testing

/// The fixture checkpoint, loaded once for the tests that only read it.
enum FixtureCheckpoint {
    static let loaded = Result { try TorchCheckpoint.load(Fixtures.url("yolov5n-ckpt.pt")) }
    static func get() throws -> TorchCheckpoint { try loaded.get() }
}

/// `yolov5n-ckpt.pt` (yolov5 pip 7.0.14 train.py layout) against `yolov5n-ckpt-manifest.json`.
@Suite struct FixtureCheckpointTests {
    @Test func topLevelKeysAndValuesMatchTheManifest() throws {
        let checkpoint = try FixtureCheckpoint.get()
        let manifest = try Manifest.load()
        #expect(checkpoint.topLevelKeys == manifest.topLevelKeysInOrder)
        #expect(checkpoint.archiveName == "yolov5n-ckpt")
        #expect(checkpoint["epoch"]?.intValue == 0)
        #expect(checkpoint["updates"]?.intValue == 0)
        #expect(checkpoint["date"]?.stringValue == "2024-01-01T00:00:00.000000")
        #expect(checkpoint["yolov5pip_version"]?.stringValue == "7.0.14")
        #expect(checkpoint["opt"]?.dictValue?.stringKeys == manifest.optKeys)
        #expect(checkpoint["opt"]?["imgsz"]?.intValue == 160)
        let groups = checkpoint["optimizer"]?["param_groups"]?.sequenceItems
        #expect(groups?.count == 3)
        #expect(groups?.first?["params"]?.sequenceItems?.count == 60)
        if case let .float(momentum)? = groups?.first?["momentum"] { #expect(momentum == 0.937) } else { Issue.record("momentum") }
    }

    /// best_fitness is a numpy float64 array [0.1·mAP50 + 0.9·mAP] = [0.1·0.0078 + 0.9·0.0021] (make_ckpt.py).
    @Test func numpyBestFitnessReadsAsFloat64() throws {
        let checkpoint = try FixtureCheckpoint.get()
        let array = try #require(checkpoint["best_fitness"]?.objectValue?.numpyArray())
        #expect(array.dtype == .float64)
        #expect(array.shape == [1])
        let value = try #require(array.doubleValues().first)
        #expect(abs(value - (0.1 * 0.0078 + 0.9 * 0.0021)) < 1e-15)
    }

    @Test func pickleUsesTheManifestsOpcodesGlobalsAndStorages() throws {
        let checkpoint = try FixtureCheckpoint.get()
        let pickle = try Manifest.load().pickle
        #expect(checkpoint.statistics.protocolVersion == pickle.pickleProtocol)
        #expect(checkpoint.statistics.opcodeCounts == pickle.opcodeCounts)
        #expect(checkpoint.statistics.globals == pickle.globalsInOrderOfFirstUse)
        var byType: [String: Manifest.StorageCount] = [:]
        let names: [DType: String] = [.float16: "torch.HalfStorage", .int64: "torch.LongStorage", .float32: "torch.FloatStorage"]
        for dtype in Set(checkpoint.storages.values.map(\.dtype)) {
            let storages = checkpoint.storages.values.filter { $0.dtype == dtype }
            byType[names[dtype] ?? "\(dtype)"] = .init(count: storages.count, elements: storages.map(\.elementCount).reduce(0, +))
        }
        #expect(byType == pickle.storagesByType)
    }

    @Test(arguments: ["model", "ema"])
    func stateDictKeysDtypesAndShapesMatchTheManifest(_ key: String) throws {
        let checkpoint = try FixtureCheckpoint.get()
        let manifest = try Manifest.load()
        let expected = key == "model" ? manifest.tensors.model : manifest.tensors.ema
        let state = try checkpoint.stateDict(key: key)
        #expect(state.sourceKey == key)
        #expect(state.moduleClass == expected.className)
        #expect(Set(state.names) == Set(expected.stateDict.keys))
        #expect(state.count == expected.stateDict.count)  // no duplicates
        for (name, tensor) in state.entries {
            let want = try #require(expected.stateDict[name], "\(name) not in the manifest")
            #expect(tensor.dtype.rawValue == want.dtype, "\(name)")
            #expect(tensor.shape == want.shape, "\(name)")
        }
        var byDtype: [String: Int] = [:]
        for (_, tensor) in state.entries { byDtype[tensor.dtype.rawValue, default: 0] += 1 }
        #expect(byDtype == expected.stateDictEntriesByDtype)
        let parameters = state.entries.filter(\.tensor.isParameter)
        #expect(parameters.count == 177)
        #expect(parameters.allSatisfy { $0.tensor.requiresGrad == expected.requiresGradAll })
        let module = try #require(checkpoint[key]?.objectValue)
        if case let .bool(training)? = module.attribute("training") { #expect(training == expected.trainingFlag) }
        else { Issue.record("no training flag") }
    }

    /// Order as `Module.state_dict()`: a module's parameters, then its buffers, then its children;
    /// parameters alone in `named_parameters()` order (param-names/yolov5n.txt, same names and shapes).
    @Test func stateDictOrderIsPyTorchs() throws {
        let state = try FixtureCheckpoint.get().stateDict()
        #expect(state.sourceKey == "ema")
        #expect(Array(state.names.prefix(7)) == [
            "model.0.conv.weight", "model.0.bn.weight", "model.0.bn.bias", "model.0.bn.running_mean",
            "model.0.bn.running_var", "model.0.bn.num_batches_tracked", "model.1.conv.weight",
        ])
        let anchors = try #require(state.names.firstIndex(of: "model.24.anchors"))
        #expect(state.names[anchors + 1] == "model.24.m.0.weight")
        #expect(state.names.last == "model.24.m.2.bias")
        let lines = try Fixtures.text("param-names/yolov5n.txt").split(separator: "\n")
        let expected = lines.map { line -> (String, [Int]) in
            let parts = line.split(separator: "\t")
            return (String(parts[0]), parts[1].split(separator: ",").map { Int($0)! })
        }
        let parameters = state.entries.filter(\.tensor.isParameter)
        #expect(parameters.map(\.name) == expected.map(\.0))
        #expect(parameters.map(\.tensor.shape) == expected.map(\.1))
    }

    @Test(arguments: ["model", "ema"])
    func batchCountersAreInt64Zeros(_ key: String) throws {
        let state = try FixtureCheckpoint.get().stateDict(key: key)
        let counters = state.entries.filter { $0.name.hasSuffix("num_batches_tracked") }
        #expect(counters.count == 57)
        for (name, tensor) in counters {
            #expect(tensor.dtype == .int64 && tensor.shape == [], "\(name)")
            #expect(tensor.int64Values() == [0], "\(name)")
            #expect(tensor.floatValues() == [0], "\(name)")
        }
    }

    /// DetectionModel.stride stays float32 after `.half()`; Detect.stride becomes float16 (README §2).
    @Test(arguments: ["model", "ema"])
    func float32AttributesReadExactly(_ key: String) throws {
        let model = try #require(try FixtureCheckpoint.get()[key])
        let stride = try #require(model["stride"]?.tensorValue)
        #expect(stride.dtype == .float32 && stride.shape == [3])
        #expect(stride.floatValues() == [8, 16, 32])
        let classWeights = try #require(model["class_weights"]?.tensorValue)
        #expect(classWeights.dtype == .float32 && classWeights.shape == [20])
        let detect = try #require(model["_modules"]?["model"]?["_modules"]?["24"]?.objectValue)
        #expect(detect.qualifiedName == "yolov5.models.yolo.Detect")
        let detectStride = try #require(detect.attribute("stride")?.tensorValue)
        #expect(detectStride.dtype == .float16 && detectStride.floatValues() == [8, 16, 32])
        #expect(detect.attribute("grid")?.sequenceItems?.compactMap(\.tensorValue).map(\.shape) == [[0], [0], [0]])
    }
}
