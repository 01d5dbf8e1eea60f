@testable import Checkpoints
import Foundation
import Testing

extension PickleBuilder {
    typealias Writer = (PickleBuilder) -> Void

    /// A pickled `nn.Module`: NEWOBJ of its class, then BUILD with its `__dict__`.
    @discardableResult func module(_ module: String, _ name: String, parameters: [(String, Writer?)] = [],
                                   buffers: [(String, Writer?)] = [], nonPersistent: [String] = [],
                                   children: [(String, Writer)] = []) -> Self {
        func members(_ items: [(String, Writer?)]) -> Writer {
            { b in
                b.orderedDict().mark()
                for (key, value) in items {
                    b.string(key)
                    if let value { value(b) } else { b.none() }
                }
                b.op(.SETITEMS)
            }
        }
        global(module, name).op(.EMPTY_TUPLE).op(.NEWOBJ)
        return dict([
            ("training", { $0.bool(true) }),
            ("_parameters", members(parameters)),
            ("_buffers", members(buffers)),
            ("_non_persistent_buffers_set", { b in
                b.global("__builtin__", "set").tuple { b in
                    b.op(.EMPTY_LIST).mark()
                    nonPersistent.forEach { b.string($0) }
                    b.op(.APPENDS)
                }.op(.REDUCE)
            }),
            ("_modules", members(children.map { ($0.0, Optional($0.1)) })),
        ]).op(.BUILD)
    }

    /// A float32 parameter on storage `key` holding `count` elements.
    @discardableResult func parameter(_ key: String, count: Int) -> Self {
        global("torch._utils", "_rebuild_parameter").tuple {
            $0.tensor(key, numel: count, size: [count], stride: [1], requiresGrad: true).bool(true).orderedDict()
        }.op(.REDUCE)
    }
}

@Suite struct StateDictTests {
    let storages: [(String, [UInt8])] = (0..<4).map { ("\($0)", floatBytes([Float($0), Float($0) + 0.5])) }

    /// A YOLOv5-like tree: parameters then persistent buffers then children; None and non-persistent skipped.
    func modelWriter() -> PickleBuilder.Writer {
        { b in
            b.module("models.yolo", "Model", children: [("model", { b in
                b.module("torch.nn.modules.container", "Sequential", children: [("0", { b in
                    b.module("models.common", "Conv", children: [
                        ("conv", { $0.module("torch.nn.modules.conv", "Conv2d", parameters: [("weight", { $0.parameter("0", count: 2) }), ("bias", nil)]) }),
                        ("bn", { $0.module("torch.nn.modules.batchnorm", "BatchNorm2d",
                                           parameters: [("weight", { $0.parameter("1", count: 2) })],
                                           buffers: [("running_mean", { $0.tensor("2", numel: 2, size: [2], stride: [1]) }),
                                                     ("scratch", { $0.tensor("3", numel: 2, size: [2], stride: [1]) })],
                                           nonPersistent: ["scratch"]) }),
                        ("act", { $0.module("torch.nn.modules.activation", "SiLU") }),
                    ])
                })])
            })])
        }
    }

    func load(_ folder: TemporaryFolder, _ pickle: PickleBuilder) throws -> TorchCheckpoint {
        try TorchCheckpoint.load(try folder.checkpoint(pickle: pickle.stop(), storages: storages))
    }

    @Test func moduleTreeIsWalkedLikeStateDict() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).dict([("epoch", { $0.int(-1) }), ("ema", { $0.none() }), ("model", modelWriter())])
        let state = try load(folder, pickle).stateDict()
        #expect(state.sourceKey == "model")  // ema is None
        #expect(state.moduleClass == "models.yolo.Model")
        #expect(state.names == ["model.0.conv.weight", "model.0.bn.weight", "model.0.bn.running_mean"])
        #expect(state["model.0.bn.running_mean"]?.floatValues() == [2, 2.5])
        #expect(state["model.0.conv.weight"]?.isParameter == true)
    }

    @Test func aWholeFileModuleIsWalkedToo() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2)
        modelWriter()(pickle)
        let state = try load(folder, pickle).stateDict()
        #expect(state.sourceKey == nil && state.count == 3)
    }

    @Test(arguments: [nil, "state_dict", "model"] as [String?])
    func plainStateDictsAreUsedDirectly(_ key: String?) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let tensors: PickleBuilder.Writer = { b in
            b.orderedDict().mark()
            b.string("b.weight").tensor("0", numel: 2, size: [2], stride: [1])
            b.string("a.bias").tensor("1", numel: 2, size: [1], stride: [1])
            b.op(.SETITEMS)
        }
        let pickle = PickleBuilder().proto(2)
        if let key { pickle.dict([("epoch", { $0.int(3) }), (key, tensors)]) } else { tensors(pickle) }
        let state = try load(folder, pickle).stateDict()
        #expect(state.sourceKey == key)
        #expect(state.moduleClass == nil)
        #expect(state.names == ["b.weight", "a.bias"])
        #expect(state["a.bias"]?.floatValues() == [1])
    }

    @Test func noModelStateIsReported() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for pickle in [
            PickleBuilder().proto(2).dict([("epoch", { $0.int(1) }), ("model", { $0.none() }), ("ema", { $0.none() })]),
            PickleBuilder().proto(2).dict([("epoch", { $0.int(1) })]),
            PickleBuilder().proto(2).int(5),
        ] {
            #expect {
                try load(folder, pickle).stateDict()
            } throws: { error in
                let error = error as? CheckpointError
                return error?.kind == .noModelState && error?.reason.contains("no model state") == true
            }
        }
        let checkpoint = try load(folder, PickleBuilder().proto(2).dict([("model", { $0.string("weights") })]))
        #expect(throws: CheckpointError.self) { try checkpoint.stateDict(key: "ema") }
        #expect(throws: CheckpointError.self) { try checkpoint.stateDict(key: "model") }
    }

    @Test func aNonModuleChildIsAWrongType() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).module("models.yolo", "Model", children: [("model", { $0.int(3) })])
        #expect {
            try load(folder, pickle).stateDict()
        } throws: { error in
            let error = error as? CheckpointError
            return error?.kind == .wrongType && error?.location == "module file (Model)" && error?.reason.contains("_modules['model']") == true
        }
    }

    @Test func aModuleThatContainsItselfIsReported() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let pickle = PickleBuilder().proto(2).global("m", "Loop").op(.EMPTY_TUPLE).op(.NEWOBJ).op(.BINPUT).raw([0])
        pickle.dict([("_parameters", { $0.orderedDict() }),
                     ("_modules", { $0.orderedDict().mark().string("again").op(.BINGET).raw([0]).op(.SETITEMS) })]).op(.BUILD)
        #expect {
            try load(folder, pickle).stateDict()
        } throws: { error in
            (error as? CheckpointError)?.kind == .wrongType && "\(error)".contains("cycle")
        }
    }
}
