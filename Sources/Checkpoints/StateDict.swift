import NeuralCore

/// Named tensors in PyTorch `state_dict()` order, taken from a checkpoint.
public struct StateDict {
    /// The top-level key the tensors came from ("ema", "model", "state_dict"), or nil when the
    /// file itself is the state dict or module.
    public let sourceKey: String?
    /// The module's class when the tensors were collected from a pickled `nn.Module`
    /// (`yolov5.models.yolo.DetectionModel`), nil for a plain state dict.
    public let moduleClass: String?
    /// Name–tensor pairs in order (`model.0.conv.weight`, …, `model.24.m.2.bias`).
    public let entries: [(name: String, tensor: TorchTensor)]
    private let indexByName: [String: Int]

    init(sourceKey: String?, moduleClass: String?, entries: [(name: String, tensor: TorchTensor)]) {
        self.sourceKey = sourceKey
        self.moduleClass = moduleClass
        self.entries = entries
        var index: [String: Int] = [:]
        for (i, entry) in entries.enumerated() { index[entry.name] = i }
        indexByName = index
    }

    /// Names in order.
    public var names: [String] { entries.map(\.name) }
    /// Number of entries.
    public var count: Int { entries.count }
    /// The tensor called `name`.
    public subscript(name: String) -> TorchTensor? { indexByName[name].map { entries[$0].tensor } }

    /// Every entry converted to a Float32 tensor (integers such as `num_batches_tracked` too).
    public func floatTensors() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.tensor.tensor()) })
    }
}

extension TorchCheckpoint {
    /// The model weights: for a YOLOv5 train.py checkpoint `ema` when present and not None, else
    /// `model`; else `state_dict`; else the file itself when it is a module or a dict of tensors.
    /// Throws `.noModelState` when none of these holds tensors.
    public func stateDict() throws -> StateDict {
        if let dict = root.dictValue {
            for key in ["ema", "model", "state_dict"] {
                if let value = dict[key], !value.isNone { return try stateDict(key: key) }
            }
        }
        if let state = try Self.collect(root, sourceKey: nil, file: url.path) { return state }
        throw noModelState("the file holds \(root.kindName)" + describeKeys())
    }

    /// The tensors under top-level key `key` (an `nn.Module` or a dict of tensors), e.g. "model"
    /// when the EMA weights are not wanted.
    public func stateDict(key: String) throws -> StateDict {
        guard let value = self[key] else { throw noModelState("there is no top-level key '\(key)'" + describeKeys()) }
        guard let state = try Self.collect(value, sourceKey: key, file: url.path) else {
            throw noModelState("'\(key)' holds \(value.kindName), not an nn.Module or a dict of tensors")
        }
        return state
    }

    /// A module's state dict, or a dict's tensor values; nil when `value` is neither or holds no tensors.
    private static func collect(_ value: PickleValue, sourceKey: String?, file: String) throws -> StateDict? {
        switch value {
        case let .object(object) where object.attribute("_parameters") != nil:
            var entries: [(name: String, tensor: TorchTensor)] = []
            try ModuleWalk(file: file, root: sourceKey ?? "file").collect(object, prefix: "", into: &entries)
            return StateDict(sourceKey: sourceKey, moduleClass: object.qualifiedName, entries: entries)
        case let .dict(dict):
            // A plain state dict (OrderedDict name → tensor); non-tensor values such as `_extra_state` are skipped.
            let entries = dict.items.compactMap { item -> (name: String, tensor: TorchTensor)? in
                guard let name = item.key.stringValue, let tensor = item.value.tensorValue else { return nil }
                return (name, tensor)
            }
            return entries.isEmpty ? nil : StateDict(sourceKey: sourceKey, moduleClass: nil, entries: entries)
        default:
            return nil
        }
    }

    private func noModelState(_ reason: String) -> CheckpointError {
        CheckpointError(.noModelState, file: url.path, location: "data.pkl",
                        reason: "no model state: \(reason); expected 'ema' or 'model' holding an nn.Module or a state dict,"
                            + " 'state_dict', or a dict of tensors")
    }

    private func describeKeys() -> String {
        guard let dict = root.dictValue else { return "" }
        let keys = dict.items.map { item in
            (item.key.stringValue ?? item.key.kindName) + (item.value.isNone ? " (None)" : "")
        }
        return " (top-level keys: \(keys.joined(separator: ", ")))"
    }
}

/// Collects a pickled `nn.Module`'s state dict the way `Module.state_dict()` does: the module's
/// own `_parameters`, then its persistent `_buffers` (not in `_non_persistent_buffers_set`),
/// then each child in `_modules` with the prefix `name.`; None entries are skipped.
struct ModuleWalk {
    let file: String
    /// The top-level key being walked, for messages.
    let root: String

    /// Appends `module`'s entries under `prefix`; `ancestors` are the modules above it, so that a
    /// pickle whose module graph loops back on itself is reported instead of recursing forever.
    func collect(_ module: PickleObject, prefix: String, ancestors: Set<ObjectIdentifier> = [],
                 into entries: inout [(name: String, tensor: TorchTensor)]) throws {
        let path = prefix.isEmpty ? "\(root) (\(module.name))" : "\(root).\(prefix.dropLast()) (\(module.name))"
        func failure(_ reason: String) -> CheckpointError {
            CheckpointError(.wrongType, file: file, location: "module \(path)", reason: reason)
        }
        guard !ancestors.contains(ObjectIdentifier(module)) else { throw failure("contains itself: the module graph has a cycle") }
        func members(_ attribute: String) throws -> [(key: PickleValue, value: PickleValue)] {
            switch module.attribute(attribute) {
            case nil, .none?: return []
            case let .dict(dict)?: return dict.items
            case let other?: throw failure("\(attribute) must be a dict, found \(other.kindName)")
            }
        }
        let nonPersistent = Set((module.attribute("_non_persistent_buffers_set")?.sequenceItems ?? []).compactMap(\.stringValue))
        for attribute in ["_parameters", "_buffers"] {
            for (key, value) in try members(attribute) {
                guard let name = key.stringValue else { throw failure("\(attribute) has a \(key.kindName) key") }
                if value.isNone || (attribute == "_buffers" && nonPersistent.contains(name)) { continue }
                guard let tensor = value.tensorValue else { throw failure("\(attribute)['\(name)'] is \(value.kindName), not a tensor") }
                entries.append((prefix + name, tensor))
            }
        }
        for (key, value) in try members("_modules") {
            guard let name = key.stringValue else { throw failure("_modules has a \(key.kindName) key") }
            if value.isNone { continue }
            guard let child = value.objectValue, child.attribute("_parameters") != nil else {
                throw failure("_modules['\(name)'] is \(value.kindName), not an nn.Module")
            }
            try collect(child, prefix: prefix + name + ".", ancestors: ancestors.union([ObjectIdentifier(module)]), into: &entries)
        }
    }
}
